// The probe's one round trip to a replica: replication status, the failing worker's error and the heartbeat row, in one multi-statement text.
import { type HeartbeatSettings } from "../registry/linkRegistry";
import {
  type MysqlSession,
  type Row,
  type ServerIdentity,
  cellText,
  replicaStatusStatement,
} from "../mysql/mysqlSession";
import {
  type ReplicationStatus,
  WORKER_ERRORS_STATEMENT,
  normaliseReplicationStatus,
  withWorkerError,
} from "../replica/replicationStatus";
import { mysqlErrno } from "../errors/mysqlErrors";

/** What one probe read from one replica. */
export interface ProbeReading {
  status: ReplicationStatus;
  /** Age of the heartbeat row on the replica, by the replica's own clock; null without a heartbeat or a row. */
  heartbeatAgeSeconds: number | null;
  /** The heartbeat table could not be read (missing, no rights): said once, never a reason to call the link broken. */
  heartbeatProblem: string | null;
  /** SQL round trips this reading cost (1; 2 only when the heartbeat table is unreadable). */
  roundTrips: number;
}

const ERRNO_NO_SUCH_TABLE = 1146;
const ERRNO_NO_SUCH_DATABASE = 1049;
const ERRNO_TABLE_ACCESS_DENIED = 1142;

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/** MySQL 8+ reports the failing worker's own error only in performance_schema (see withWorkerError). */
function readsWorkerErrors(identity: ServerIdentity): boolean {
  return identity.flavor === "mysql" && identity.major >= 8;
}

/**
 * The probe's statement text. Everything in it is the app's own text: the status statement for the server's version,
 * the worker-error query, and the heartbeat table named by the link's registry row (quoted as an identifier).
 */
function probeStatement(identity: ServerIdentity, heartbeat: HeartbeatSettings | null): string {
  const statements = [replicaStatusStatement(identity)];
  if (readsWorkerErrors(identity)) statements.push(WORKER_ERRORS_STATEMENT);
  if (heartbeat) {
    const table = `${quoteIdentifier(heartbeat.database)}.${quoteIdentifier("replication_heartbeat")}`;
    statements.push(
      `SELECT TIMESTAMPDIFF(MICROSECOND, beat_at, UTC_TIMESTAMP(6)) AS age_us FROM ${table} WHERE id = 1`,
    );
  }
  return statements.join(";\n");
}

function interpret(
  identity: ServerIdentity,
  results: Row[][],
  withHeartbeat: boolean,
): Omit<ProbeReading, "roundTrips" | "heartbeatProblem"> {
  let index = 0;
  const statusRows = results[index++] ?? [];
  let status = normaliseReplicationStatus(statusRows[0]);
  if (readsWorkerErrors(identity)) {
    const workerRows = results[index++] ?? [];
    if (status.lastSqlErrno !== 0) status = withWorkerError(status, workerRows);
  }
  let heartbeatAgeSeconds: number | null = null;
  if (withHeartbeat) {
    const row = (results[index] ?? [])[0];
    const raw = row?.age_us;
    const micros = raw === null || raw === undefined ? NaN : Number(cellText(raw));
    heartbeatAgeSeconds = Number.isFinite(micros) ? Math.max(0, micros / 1_000_000) : null;
  }
  return { status, heartbeatAgeSeconds };
}

/** One round trip: the session must have been opened with `multipleStatements`. */
export async function readProbe(
  session: MysqlSession,
  identity: ServerIdentity,
  heartbeat: HeartbeatSettings | null,
): Promise<ProbeReading> {
  try {
    const results = await session.queryMany(probeStatement(identity, heartbeat));
    return { ...interpret(identity, results, heartbeat !== null), heartbeatProblem: null, roundTrips: 1 };
  } catch (error) {
    const errno = mysqlErrno(error);
    const heartbeatError =
      heartbeat !== null &&
      (errno === ERRNO_NO_SUCH_TABLE ||
        errno === ERRNO_NO_SUCH_DATABASE ||
        errno === ERRNO_TABLE_ACCESS_DENIED);
    if (!heartbeatError) throw error;
    // A multi-statement text stops at its first failing statement: read again without the heartbeat.
    const results = await session.queryMany(probeStatement(identity, null));
    return {
      ...interpret(identity, results, false),
      heartbeatProblem: `The heartbeat table ${heartbeat.database}.replication_heartbeat cannot be read on the replica (error ${errno}).`,
      roundTrips: 2,
    };
  }
}
