// Reads SHOW SLAVE STATUS / SHOW REPLICA STATUS into a plain object with the fields replication checks look at.
import { type Connection, type RowDataPacket } from "mysql2/promise";

type ThreadState = "Yes" | "No" | "Connecting" | "Preparing";

export interface ReplicationStatus {
  ioRunning: ThreadState;
  sqlRunning: ThreadState;
  masterHost: string;
  masterUser: string;
  masterPort: number;
  masterLogFile: string;
  readMasterLogPos: number;
  relayMasterLogFile: string;
  execMasterLogPos: number;
  /** null while a thread is down: not "no lag". */
  secondsBehindMaster: number | null;
  lastIoErrno: number;
  lastIoError: string;
  lastSqlErrno: number;
  lastSqlError: string;
  sslAllowed: boolean;
  sslCaFile: string;
  /** MariaDB: "No" | "Slave_Pos" | "Current_Pos"; MySQL: Auto_Position "0" | "1". */
  usingGtid: string;
  /** MariaDB Gtid_IO_Pos, MySQL Retrieved_Gtid_Set. */
  gtidIoPos: string;
  masterServerId: number;
  skipCounter: number;
  /** Every column as the server returned it, under its original name. */
  raw: Record<string, unknown>;
}

type Queryable = Pick<Connection, "query">;

function pick(row: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (name in row) return row[name];
  return undefined;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}

function num(value: unknown): number {
  const parsed = Number(text(value));
  return Number.isFinite(parsed) ? parsed : 0;
}

/**
 * The status of the default replication link, or null when none is configured (after RESET REPLICA ALL).
 */
export async function readReplicationStatus(connection: Queryable): Promise<ReplicationStatus | null> {
  // MySQL 8.4+ refuses SHOW SLAVE STATUS; MariaDB 10.5+ accepts this spelling too.
  const [rows] = await connection.query<RowDataPacket[]>("SHOW REPLICA STATUS");
  const row = rows[0] as Record<string, unknown> | undefined;
  if (!row) return null;
  const behind = pick(row, "Seconds_Behind_Master", "Seconds_Behind_Source");
  return {
    ioRunning: text(pick(row, "Slave_IO_Running", "Replica_IO_Running")) as ThreadState,
    sqlRunning: text(pick(row, "Slave_SQL_Running", "Replica_SQL_Running")) as ThreadState,
    masterHost: text(pick(row, "Master_Host", "Source_Host")),
    masterUser: text(pick(row, "Master_User", "Source_User")),
    masterPort: num(pick(row, "Master_Port", "Source_Port")),
    masterLogFile: text(pick(row, "Master_Log_File", "Source_Log_File")),
    readMasterLogPos: num(pick(row, "Read_Master_Log_Pos", "Read_Source_Log_Pos")),
    relayMasterLogFile: text(pick(row, "Relay_Master_Log_File", "Relay_Source_Log_File")),
    execMasterLogPos: num(pick(row, "Exec_Master_Log_Pos", "Exec_Source_Log_Pos")),
    secondsBehindMaster: behind === null || behind === undefined ? null : num(behind),
    lastIoErrno: num(row.Last_IO_Errno),
    lastIoError: text(row.Last_IO_Error),
    lastSqlErrno: num(row.Last_SQL_Errno),
    lastSqlError: text(row.Last_SQL_Error),
    sslAllowed: text(pick(row, "Master_SSL_Allowed", "Source_SSL_Allowed")) === "Yes",
    sslCaFile: text(pick(row, "Master_SSL_CA_File", "Source_SSL_CA_File")),
    usingGtid: text(pick(row, "Using_Gtid", "Auto_Position")),
    gtidIoPos: text(pick(row, "Gtid_IO_Pos", "Retrieved_Gtid_Set")),
    masterServerId: num(pick(row, "Master_Server_Id", "Source_Server_Id")),
    skipCounter: num(row.Skip_Counter),
    raw: { ...row },
  };
}
