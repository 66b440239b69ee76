// The replica's replication state, read with the version-aware statement and normalised across MySQL and MariaDB column names.
import {
  type MysqlSession,
  type ServerIdentity,
  cellText,
  replicaStatusStatement,
  type Row,
} from "../mysql/mysqlSession";

type ThreadState = "Yes" | "No" | "Connecting" | "Preparing" | "Unknown";

export interface ReplicationStatus {
  /** False when the replica has no link at all. */
  configured: boolean;
  sourceHost: string | null;
  sourcePort: number | null;
  sourceUser: string | null;
  ioRunning: ThreadState;
  sqlRunning: ThreadState;
  ioState: string;
  /** Seconds behind the source; null means unknown (a thread is down), never "no lag". */
  secondsBehind: number | null;
  lastIoErrno: number;
  lastIoError: string;
  lastSqlErrno: number;
  lastSqlError: string;
  sourceLogFile: string | null;
  readSourceLogPos: number | null;
  execSourceLogFile: string | null;
  execSourceLogPos: number | null;
  usingGtid: string | null;
  sslCaConfigured: boolean;
  /**
   * The GTID (`uuid:n`) of the transaction the applier failed on, read from the worker that failed; null when
   * nothing failed, the link has no GTIDs (`ANONYMOUS`) or the server does not say.
   */
  failedTransactionGtid: string | null;
}

function pick(row: Row, ...names: string[]): unknown {
  for (const name of names) if (name in row) return row[name];
  return undefined;
}

function asText(value: unknown): string | null {
  return value === null || value === undefined ? null : cellText(value);
}

function asNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function asThread(value: unknown): ThreadState {
  const text = asText(value);
  if (text === "Yes" || text === "No" || text === "Connecting" || text === "Preparing") return text;
  return "Unknown";
}

export const NOT_CONFIGURED: ReplicationStatus = {
  configured: false,
  sourceHost: null,
  sourcePort: null,
  sourceUser: null,
  ioRunning: "No",
  sqlRunning: "No",
  ioState: "",
  secondsBehind: null,
  lastIoErrno: 0,
  lastIoError: "",
  lastSqlErrno: 0,
  lastSqlError: "",
  sourceLogFile: null,
  readSourceLogPos: null,
  execSourceLogFile: null,
  execSourceLogPos: null,
  usingGtid: null,
  sslCaConfigured: false,
  failedTransactionGtid: null,
};

export function normaliseReplicationStatus(row: Row | undefined): ReplicationStatus {
  if (!row) return NOT_CONFIGURED;
  const sourceHost = asText(pick(row, "Master_Host", "Source_Host"));
  if (!sourceHost) return NOT_CONFIGURED;
  const ioRunning = asThread(pick(row, "Slave_IO_Running", "Replica_IO_Running"));
  const sqlRunning = asThread(pick(row, "Slave_SQL_Running", "Replica_SQL_Running"));
  const lag = asNumber(pick(row, "Seconds_Behind_Master", "Seconds_Behind_Source"));
  return {
    configured: true,
    sourceHost,
    sourcePort: asNumber(pick(row, "Master_Port", "Source_Port")),
    sourceUser: asText(pick(row, "Master_User", "Source_User")),
    ioRunning,
    sqlRunning,
    ioState: asText(pick(row, "Slave_IO_State", "Replica_IO_State")) ?? "",
    // Some servers report a stale number while a thread is down; the only honest value then is unknown.
    secondsBehind: ioRunning === "Yes" && sqlRunning === "Yes" ? lag : null,
    lastIoErrno: asNumber(pick(row, "Last_IO_Errno")) ?? 0,
    lastIoError: asText(pick(row, "Last_IO_Error")) ?? "",
    lastSqlErrno: asNumber(pick(row, "Last_SQL_Errno")) ?? 0,
    lastSqlError: asText(pick(row, "Last_SQL_Error")) ?? "",
    sourceLogFile: asText(pick(row, "Master_Log_File", "Source_Log_File")),
    readSourceLogPos: asNumber(pick(row, "Read_Master_Log_Pos", "Read_Source_Log_Pos")),
    execSourceLogFile: asText(pick(row, "Relay_Master_Log_File", "Relay_Source_Log_File")),
    execSourceLogPos: asNumber(pick(row, "Exec_Master_Log_Pos", "Exec_Source_Log_Pos")),
    usingGtid: asText(pick(row, "Using_Gtid", "Auto_Position")),
    sslCaConfigured: (asText(pick(row, "Master_SSL_CA_File", "Source_SSL_CA_File")) ?? "") !== "",
    failedTransactionGtid: null,
  };
}

/**
 * MySQL 8.0.27+ applies with parallel workers by default (replica_parallel_workers=4). A failing transaction then
 * shows in SHOW REPLICA STATUS as the coordinator's "Coordinator stopped because there were error(s) in the
 * worker(s)", often with errno 3030 (ER_REPLICA_WORKER_STOPPED_PREVIOUS_THD_ERROR) from a worker that stopped
 * because another failed; the real error (1062, 1032, ...) and the transaction's GTID are in the worker table.
 * Seen on MySQL 9.7; MariaDB reported the worker's error directly and hid this.
 */
export const WORKER_ERRORS_STATEMENT =
  "SELECT LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE, APPLYING_TRANSACTION FROM performance_schema.replication_applier_status_by_worker WHERE LAST_ERROR_NUMBER <> 0 ORDER BY LAST_ERROR_TIMESTAMP, WORKER_ID";

/** Errno of a worker that stopped only because another worker failed: never the cause. */
const ERRNO_WORKER_STOPPED_BY_OTHER = 3030;

const GTID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[a-z_][a-z0-9_]{0,31})?:\d+$/i;

/** Replaces the coordinator's summary with the failing worker's own error, and records its GTID. */
export function withWorkerError(status: ReplicationStatus, workerRows: readonly Row[]): ReplicationStatus {
  const causes = workerRows.filter(
    (row) => asNumber(row.LAST_ERROR_NUMBER) !== ERRNO_WORKER_STOPPED_BY_OTHER,
  );
  const cause = causes[0] ?? workerRows[0];
  if (!cause) return status;
  const errno = asNumber(cause.LAST_ERROR_NUMBER) ?? status.lastSqlErrno;
  const gtid = asText(cause.APPLYING_TRANSACTION) ?? "";
  return {
    ...status,
    lastSqlErrno: errno,
    lastSqlError: asText(cause.LAST_ERROR_MESSAGE) ?? status.lastSqlError,
    failedTransactionGtid: GTID.test(gtid) ? gtid : null,
  };
}

export async function readReplicationStatus(
  session: MysqlSession,
  identity: ServerIdentity,
): Promise<ReplicationStatus> {
  const rows = await session.query(replicaStatusStatement(identity));
  const status = normaliseReplicationStatus(rows[0]);
  if (status.lastSqlErrno === 0 || identity.flavor !== "mysql" || identity.major < 8) return status;
  return withWorkerError(status, await session.query(WORKER_ERRORS_STATEMENT));
}

export type ReplicationVerdict =
  | { kind: "running" }
  | { kind: "waiting"; reason: string }
  /** Both threads stream without error, but the SQL thread is behind what the IO thread read. */
  | { kind: "catchingUp"; reason: string }
  | { kind: "transientError"; errno: number; message: string }
  | { kind: "permanentError"; thread: "io" | "sql"; errno: number; message: string }
  | { kind: "stopped"; reason: string };

const IO_STREAMING = /waiting for (source|master) to send event|queueing (source|master) event/i;

/** Whether replication really runs: both threads up and the SQL thread has applied what the IO thread read. */
export function judgeReplication(
  status: ReplicationStatus,
  isPermanent: (errno: number) => boolean,
): ReplicationVerdict {
  if (!status.configured) return { kind: "stopped", reason: "the replica has no replication link" };
  if (status.lastSqlErrno !== 0) {
    return {
      kind: "permanentError",
      thread: "sql",
      errno: status.lastSqlErrno,
      message: status.lastSqlError,
    };
  }
  if (status.lastIoErrno !== 0) {
    if (isPermanent(status.lastIoErrno)) {
      return { kind: "permanentError", thread: "io", errno: status.lastIoErrno, message: status.lastIoError };
    }
    if (status.ioRunning !== "Yes") {
      return { kind: "transientError", errno: status.lastIoErrno, message: status.lastIoError };
    }
  }
  if (status.sqlRunning !== "Yes") return { kind: "stopped", reason: "the SQL thread is not running" };
  if (status.ioRunning === "No") return { kind: "stopped", reason: "the IO thread is not running" };
  if (status.ioRunning !== "Yes")
    return { kind: "waiting", reason: `the IO thread is ${status.ioRunning.toLowerCase()}` };
  // "Yes" comes before the source has accepted the dump request: a purged or wrong binlog file is refused a moment
  // later (13114). Only once the IO thread waits for or queues events has the source accepted the coordinates
  // (seen on MySQL 9.7, where a start judged "running" at once was then refused).
  if (status.ioState !== "" && !IO_STREAMING.test(status.ioState)) {
    return { kind: "waiting", reason: `the IO thread is ${status.ioState.toLowerCase()}` };
  }
  const caughtUp =
    status.execSourceLogFile === status.sourceLogFile &&
    status.execSourceLogPos !== null &&
    status.execSourceLogPos === status.readSourceLogPos;
  if (!caughtUp) return { kind: "catchingUp", reason: "the SQL thread is still applying events" };
  return { kind: "running" };
}

/** Where the SQL thread has applied up to: the source's binlog file and position. */
export interface AppliedPosition {
  file: string;
  position: number;
}

/** The status's applied position; null while the server does not report one (no link, or not started yet). */
export function appliedPosition(status: ReplicationStatus): AppliedPosition | null {
  if (status.execSourceLogFile === null || status.execSourceLogPos === null) return null;
  return { file: status.execSourceLogFile, position: status.execSourceLogPos };
}

/**
 * Whether the SQL thread applied something between two reads: a link that is behind but applies is running, with lag
 * to report, not failing (under steady writes "caught up" may never be seen at the instant of a read). Takes only the
 * positions, so the two reads may come from different activity executions.
 */
export function appliedBetween(previous: AppliedPosition | null, current: AppliedPosition | null): boolean {
  if (previous === null || current === null) return false;
  if (current.file !== previous.file) return true;
  return current.position > previous.position;
}

/**
 * One read of a starting link, judged: as judgeReplication, except that a link catching up whose SQL thread applied
 * something since the previous read (`appliedBefore`, null on the first) is running.
 */
export function judgeStart(
  status: ReplicationStatus,
  appliedBefore: AppliedPosition | null,
  isPermanent: (errno: number) => boolean,
): ReplicationVerdict {
  const verdict = judgeReplication(status, isPermanent);
  if (verdict.kind === "catchingUp" && appliedBetween(appliedBefore, appliedPosition(status)))
    return { kind: "running" };
  return verdict;
}
