// The initial copy: one snapshot at one binlog position on every copying connection, schema, data in parallel PK chunks, then views, routines, triggers and events.
import type { Connection } from "mysql2/promise";
import { type MysqlEndpoint } from "../mysql/mysqlSession";
import { closeQuietly, openLoadConnection, rows } from "./loadConnection";
import { type LoadPlan, type LoadProgress, type LoadReport } from "./loadTypes";
import { cleanReplica } from "./replicaCleanup";
import { openSnapshot } from "./openSnapshot";
import { splitWorkItems } from "./splitWorkItems";
import { copyData } from "./copyData";
import { createProgramObjects, createTables } from "./createSchemaObjects";
import { createProgressReporter } from "./progressReporter";
import { loadNotes } from "./loadNotes";
import { cellText } from "../mysql/mysqlSession";

/*
 * Why one copy runs inside one activity, and a failed copy starts again from a new snapshot:
 *
 * The copy is only correct if every row it writes is the row as of the coordinates the link starts from. On Oracle MySQL
 * that takes a consistent read view opened on every copying connection while writes are held still (FLUSH TABLES WITH
 * READ LOCK), with the binlog position read under the same lock. A read view belongs to its connection: it cannot be
 * handed to another activity or survive a process. Copying table by table in separate activities without it (each at
 * its own moment) would leave the replica "fuzzy" between two positions, and replaying the binlog from the earlier one
 * would need idempotent apply (replica_exec_mode=IDEMPOTENT), which Azure's admin cannot set: 1062/1032 later, or rows
 * silently missing. So the snapshot, the schema and the data are copied in this one call; an interruption (source
 * restart, lost replica connection, app crash) loses the read view, and the next attempt first removes what the load
 * created, then copies everything again at a new snapshot and reports that snapshot's coordinates. Correctness is kept
 * at the price of redoing the copy: fine for the databases this is for (up to tens of GB).
 */

export interface CopyEndpoints {
  source: MysqlEndpoint;
  replica: MysqlEndpoint;
}

export interface CopyOptions {
  plan: LoadPlan;
  parallelism: number;
  /** Which attempt this is (reported). */
  attempt: number;
  /** Rows per SELECT at most; the byte budget usually binds first. */
  batchRows?: number;
  /** Approximate bytes of one batch (read and insert): what bounds memory, per connection. */
  batchBytes?: number;
  /** A table with a single integer key is split into ranges of about this many rows, copied in parallel. */
  chunkRows?: number;
  onProgress?: (progress: LoadProgress) => void;
  /** Test hook: called after each inserted batch (a fault test stops a server here). */
  afterBatch?: (batches: number) => Promise<void> | void;
}

const MAX_PARALLELISM = 16;

export async function copySnapshot(endpoints: CopyEndpoints, options: CopyOptions): Promise<LoadReport> {
  const { plan } = options;
  const parallelism = Math.max(1, Math.min(options.parallelism, MAX_PARALLELISM));
  const limits = { rows: options.batchRows ?? 5_000, bytes: options.batchBytes ?? 2 * 1024 * 1024 };
  const progress = createProgressReporter(options.onProgress);
  const opened: Connection[] = [];
  const open = async (endpoint: MysqlEndpoint) => {
    const connection = await openLoadConnection(endpoint);
    opened.push(connection);
    return connection;
  };
  try {
    // A fresh start: whatever an earlier attempt left is removed before anything is written.
    await cleanReplica(endpoints.replica, plan);
    const coordinator = await open(endpoints.source);
    const readers: Connection[] = [];
    for (let index = 0; index < parallelism; index += 1) readers.push(await open(endpoints.source));
    const writers: Connection[] = [];
    for (let index = 0; index < parallelism; index += 1) writers.push(await open(endpoints.replica));
    const replicaAdmin = await open(endpoints.replica);
    const [replicaVersionRow] = await rows(replicaAdmin, "SELECT @@version AS v");

    // 1. The snapshot, and the schema as of it.
    const { coordinates, objects, tables } = await openSnapshot(
      coordinator,
      readers,
      plan.method,
      plan.databases,
    );
    progress.enter("schema", tables.length);
    // 2. Databases and tables.
    await createTables(replicaAdmin, objects);
    // 3. Data: parallel workers, each a reader in the snapshot and a writer on the replica.
    progress.enter("data");
    const items = await splitWorkItems(readers[0] as Connection, tables, options.chunkRows ?? 200_000);
    await copyData(readers, writers, items, limits, {
      batchWritten: async (rowCount, bytes, batches) => {
        progress.rowsWritten(rowCount, bytes);
        await options.afterBatch?.(batches);
      },
      tableDone: () => progress.tableDone(),
    });
    for (const reader of readers) await reader.query("COMMIT");
    // 4. Views, routines, triggers and events, which must not act during the data copy.
    progress.enter("objects");
    const definersRewritten = await createProgramObjects(
      replicaAdmin,
      objects,
      cellText(replicaVersionRow?.v),
    );
    if (plan.method === "backupLockAndReadLock") await coordinator.query("UNLOCK INSTANCE");
    const totals = progress.enter("done");
    return {
      databases: plan.databases,
      method: plan.method,
      coordinates,
      stats: {
        tables: tables.length,
        rows: totals.rows,
        bytes: totals.bytes,
        durationMs: totals.durationMs,
        rowsPerSecond: totals.rowsPerSecond,
        views: objects.views.length,
        routines: objects.routines.length,
        triggers: objects.triggers.length,
        events: objects.events.length,
        definersRewritten,
        attempt: options.attempt,
      },
      notes: loadNotes(definersRewritten, objects.events.length),
    };
  } finally {
    // Closing ends the snapshot transactions and releases both locks if they are still held.
    await Promise.all(opened.map((connection) => closeQuietly(connection)));
  }
}
