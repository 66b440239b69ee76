// Helpers shared by the MySQL kit tests: polling until replication catches up, and reading what the replica's applier reports.
import { type Connection } from "mysql2/promise";
import { readReplicationStatus, type ReplicationStatus } from "../../../dev/mysql/replicationStatus";
import { type MysqlServer } from "../../../dev/mysql/mysqlServer";

export const CHANGE_MASTER = "CALL mysql.az_replication_change_master(?, ?, ?, ?, ?, ?, ?)";
export const CHANGE_MASTER_GTID = "CALL mysql.az_replication_change_master_with_gtid(?, ?, ?, ?, ?)";
export const SKIP_GTID = "CALL mysql.az_replication_skip_gtid_transaction(?)";

export const healthy = (s: ReplicationStatus | null): boolean =>
  s?.ioRunning === "Yes" && s.sqlRunning === "Yes";

/** Retries `read` until `ok` holds; a read may fail until replication has caught up (the table is not there yet). */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await read();
      if (ok(value)) return value;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met; last ${failure ? `error ${failure instanceof Error ? failure.message : "?"}` : `value ${JSON.stringify(value)}`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * SHOW REPLICA STATUS until `condition` holds. The kit's waitForReplicationStatus sends SHOW SLAVE STATUS,
 * which MySQL 8.4+ no longer parses (see the test that pins it), so the tests poll with the MySQL spelling.
 */
export async function waitForStatus(
  connection: Pick<Connection, "query">,
  condition: (status: ReplicationStatus | null) => boolean,
  timeoutMs = 20_000,
): Promise<ReplicationStatus | null> {
  let last: ReplicationStatus | null = null;
  try {
    return await eventually(
      async () => (last = await readReplicationStatus(connection)),
      condition,
      timeoutMs,
    );
  } catch {
    const { raw: _raw, ...summary } = last ?? { raw: undefined };
    throw new Error(
      `replication status did not reach the expected state; last seen: ${JSON.stringify(summary)}`,
    );
  }
}

export interface WorkerStatus {
  WORKER_ID: number;
  LAST_ERROR_NUMBER: number;
  LAST_ERROR_MESSAGE: string;
  APPLYING_TRANSACTION: string;
}

/** The applier workers that report an error (multi-threaded applier: the real error lives here, not in the coordinator). */
export async function failedWorkers(replica: MysqlServer): Promise<WorkerStatus[]> {
  return replica.rootQuery<WorkerStatus & Record<string, unknown>>(
    "SELECT WORKER_ID, LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE, APPLYING_TRANSACTION " +
      "FROM performance_schema.replication_applier_status_by_worker WHERE LAST_ERROR_NUMBER <> 0 ORDER BY WORKER_ID",
  );
}

/** Root-side clean slate for a replica shared by several tests: no link, no running threads. */
export async function resetReplica(replica: MysqlServer): Promise<void> {
  await replica.rootQuery("STOP REPLICA");
  await replica.rootQuery("RESET REPLICA ALL");
}
