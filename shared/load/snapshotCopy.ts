// The initial copy: one snapshot at one binlog position on every copying connection, schema, data in parallel PK chunks, then views, routines, triggers and events.
import type { Connection } from "mysql2/promise";
import { type MysqlEndpoint } from "../mysql/mysqlSession";
import { closeQuietly, ident, openLoadConnection, rows } from "./loadConnection";
import { withoutDefiner } from "./definers";
import {
  type LoadCoordinates,
  type LoadPlan,
  type LoadProgress,
  type LoadReport,
  type SnapshotMethod,
} from "./loadTypes";
import { cleanReplica } from "./replicaCleanup";

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

export class LoadFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = "LoadFailure";
  }
}

interface TableMeta {
  schema: string;
  name: string;
  columns: string[];
  /** What each column is read as: the column itself, or a lossless expression (FLOAT). */
  selectList: string[];
  primaryKey: string[];
  integerKey: boolean;
  avgRowBytes: number;
  estimatedRows: number;
}

interface WorkItem {
  table: TableMeta;
  /** Integer-key ranges: [from, to) with `to` null for the last one. */
  range: { from: string | null; to: string | null } | null;
}

interface SchemaObject {
  schema: string;
  name: string;
  sql: string;
  sqlMode: string;
}

/** The part of mysql2's callback connection (behind the promise wrapper) that streams a result with back-pressure. */
interface RowStream {
  on(event: "data", listener: (row: unknown[]) => void): RowStream;
  on(event: "error", listener: (error: Error) => void): RowStream;
  on(event: "end", listener: () => void): RowStream;
  pause(): void;
  resume(): void;
  destroy(): void;
}
interface StreamingConnection {
  query(options: { sql: string; rowsAsArray: boolean }): {
    stream(options: { highWaterMark: number }): RowStream;
  };
}

function streamingCore(connection: Connection): StreamingConnection {
  return (connection as unknown as { connection: StreamingConnection }).connection;
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "mediumint", "int", "bigint"]);

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}

function placeholders(count: number): string {
  return new Array<string>(count).fill("?").join(",");
}

function valueBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (Buffer.isBuffer(value)) return value.length;
  return 8;
}

/** Reads the source's coordinates under the lock: file, position and executed GTIDs. */
async function readCoordinates(connection: Connection, version: string): Promise<LoadCoordinates> {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const statement =
    major > 8 || (major === 8 && minor >= 2) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
  const [row] = await rows(connection, statement);
  if (!row?.File)
    throw new LoadFailure(
      "LOAD_NO_BINLOG",
      "The source reports no binary log status (is log_bin on?).",
      "Enable binary logging on the source.",
    );
  return {
    file: text(row.File),
    position: Number(row.Position),
    gtidExecuted: text(row.Executed_Gtid_Set).replace(/\s+/g, ""),
  };
}

async function readTables(coordinator: Connection, databases: string[]): Promise<TableMeta[]> {
  const list = placeholders(databases.length);
  const [tables, columns, keys] = [
    await rows(
      coordinator,
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_ROWS AS n, AVG_ROW_LENGTH AS l FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${list}) ORDER BY DATA_LENGTH DESC`,
      databases,
    ),
    await rows(
      coordinator,
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS d, EXTRA AS e FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${list}) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
      databases,
    ),
    await rows(
      coordinator,
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA IN (${list}) ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX`,
      databases,
    ),
  ];
  const key = (row: Record<string, unknown>) => `${text(row.s)}\u0000${text(row.t)}`;
  const columnsOf = new Map<string, { name: string; type: string }[]>();
  for (const row of columns) {
    // Generated columns are computed by the replica; inserting into them is refused.
    // (EXTRA says VIRTUAL GENERATED or STORED GENERATED; DEFAULT_GENERATED is an ordinary column with a default.)
    if (/\b(VIRTUAL|STORED) GENERATED\b/i.test(text(row.e))) continue;
    const list = columnsOf.get(key(row)) ?? [];
    list.push({ name: text(row.c), type: text(row.d).toLowerCase() });
    columnsOf.set(key(row), list);
  }
  const keyOf = new Map<string, string[]>();
  for (const row of keys) keyOf.set(key(row), [...(keyOf.get(key(row)) ?? []), text(row.c)]);
  return tables.map((row) => {
    const cols = columnsOf.get(key(row)) ?? [];
    const primaryKey = keyOf.get(key(row)) ?? [];
    const first = cols.find((column) => column.name === primaryKey[0]);
    return {
      schema: text(row.s),
      name: text(row.t),
      columns: cols.map((column) => column.name),
      // MySQL prints a FLOAT with 6 significant digits, which does not give the same float back; as a DOUBLE it is exact.
      selectList: cols.map((column) =>
        column.type === "float" ? `CAST(${ident(column.name)} AS DOUBLE)` : ident(column.name),
      ),
      primaryKey,
      integerKey: primaryKey.length === 1 && first !== undefined && INTEGER_TYPES.has(first.type),
      avgRowBytes: Math.max(16, Number(row.l) || 0),
      estimatedRows: Number(row.n) || 0,
    };
  });
}

async function readObjects(coordinator: Connection, databases: string[]) {
  const list = placeholders(databases.length);
  const create = async (sql: string, column: string): Promise<{ sql: string; sqlMode: string }> => {
    const [row] = await rows(coordinator, sql);
    const statement = row?.[column];
    if (statement === null || statement === undefined)
      throw new LoadFailure(
        "LOAD_OBJECT_UNREADABLE",
        `${sql} returned no definition: the load user may not read it.`,
        "Grant the load (inspection) user SHOW_ROUTINE (routines), SHOW VIEW (views), TRIGGER (triggers) and EVENT (events) on the source.",
      );
    return { sql: text(statement), sqlMode: text(row?.sql_mode) };
  };
  const databaseSql: SchemaObject[] = [];
  for (const schema of databases) {
    const made = await create(`SHOW CREATE DATABASE IF NOT EXISTS ${ident(schema)}`, "Create Database");
    databaseSql.push({ schema, name: schema, ...made });
  }
  const named = async (sql: string) =>
    (await rows(coordinator, sql, databases)).map((row) => ({
      schema: text(row.s),
      name: text(row.n),
      kind: text(row.k),
    }));
  const tables: SchemaObject[] = [];
  for (const item of await named(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, '' AS k FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${list})`,
  )) {
    const made = await create(`SHOW CREATE TABLE ${ident(item.schema)}.${ident(item.name)}`, "Create Table");
    tables.push({ ...item, ...made });
  }
  const views: SchemaObject[] = [];
  for (const item of await named(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, '' AS k FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (${list})`,
  )) {
    const made = await create(`SHOW CREATE VIEW ${ident(item.schema)}.${ident(item.name)}`, "Create View");
    views.push({ ...item, ...made });
  }
  const routines: SchemaObject[] = [];
  for (const item of await named(
    `SELECT ROUTINE_SCHEMA AS s, ROUTINE_NAME AS n, ROUTINE_TYPE AS k FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${list})`,
  )) {
    const kind = item.kind === "FUNCTION" ? "FUNCTION" : "PROCEDURE";
    const made = await create(
      `SHOW CREATE ${kind} ${ident(item.schema)}.${ident(item.name)}`,
      kind === "FUNCTION" ? "Create Function" : "Create Procedure",
    );
    routines.push({ ...item, ...made });
  }
  const triggers: SchemaObject[] = [];
  for (const item of await named(
    `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS n, '' AS k FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${list}) ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER`,
  )) {
    const made = await create(
      `SHOW CREATE TRIGGER ${ident(item.schema)}.${ident(item.name)}`,
      "SQL Original Statement",
    );
    triggers.push({ ...item, ...made });
  }
  const events: SchemaObject[] = [];
  for (const item of await named(
    `SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n, '' AS k FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (${list})`,
  )) {
    const made = await create(`SHOW CREATE EVENT ${ident(item.schema)}.${ident(item.name)}`, "Create Event");
    events.push({ ...item, ...made });
  }
  return { databaseSql, tables, views, routines, triggers, events };
}

/** An event copied to a replica must not run there: its effects arrive from the source's binlog. */
function disabledOnReplica(createEvent: string, replicaVersion: string): string {
  const [major = 0, minor = 0, patch = 0] = replicaVersion.split(/[.-]/).map(Number);
  const modern = major > 8 || (major === 8 && (minor > 0 || patch >= 22));
  const clause = modern ? "DISABLE ON REPLICA" : "DISABLE ON SLAVE";
  const body = /\sDO\s/i.exec(createEvent);
  const cut = body ? body.index : createEvent.length;
  const head = createEvent
    .slice(0, cut)
    .replace(/\s(ENABLE|DISABLE ON (SLAVE|REPLICA)|DISABLE)(?=\s|$)/i, ` ${clause}`);
  return head + createEvent.slice(cut);
}

function isFunctionCreatorError(error: unknown): boolean {
  return (error as { errno?: number }).errno === 1419;
}

export async function copySnapshot(endpoints: CopyEndpoints, options: CopyOptions): Promise<LoadReport> {
  const { plan } = options;
  const parallelism = Math.max(1, Math.min(options.parallelism, 16));
  const batchRows = options.batchRows ?? 5_000;
  const batchBytes = options.batchBytes ?? 2 * 1024 * 1024;
  const chunkRows = options.chunkRows ?? 200_000;
  const startedAt = Date.now();
  const notes: string[] = [];
  const progress: LoadProgress = {
    phase: "snapshot",
    tablesDone: 0,
    tablesTotal: 0,
    rows: 0,
    bytes: 0,
    rowsPerSecond: 0,
  };
  let lastPublished = 0;
  const publish = (force = false) => {
    const now = Date.now();
    if (!force && now - lastPublished < 1_000) return;
    lastPublished = now;
    progress.rowsPerSecond = Math.round(progress.rows / Math.max(0.001, (now - startedAt) / 1000));
    options.onProgress?.({ ...progress });
  };

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
    const [versionRow] = await rows(coordinator, "SELECT @@version AS v");
    const [replicaVersionRow] = await rows(replicaAdmin, "SELECT @@version AS v");
    const replicaVersion = text(replicaVersionRow?.v);

    for (const reader of readers)
      await reader.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");

    // 1. The snapshot. The backup lock (MySQL 8.0+, BACKUP_ADMIN) blocks DDL and stays held until the copy ends, so the
    // schema read after the read lock is released is the snapshot's; the read lock itself is held only while the
    // position is read and every reader opens its read view.
    const method: SnapshotMethod = plan.method;
    if (method === "backupLockAndReadLock") await coordinator.query("LOCK INSTANCE FOR BACKUP");
    await coordinator.query("FLUSH TABLES WITH READ LOCK");
    let coordinates: LoadCoordinates;
    let objects: Awaited<ReturnType<typeof readObjects>>;
    let tables: TableMeta[];
    try {
      coordinates = await readCoordinates(coordinator, text(versionRow?.v));
      for (const reader of readers)
        await reader.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      if (method === "readLock") {
        // Without the backup lock nothing stops DDL after the read lock: read the schema under it.
        objects = await readObjects(coordinator, plan.databases);
        tables = await readTables(coordinator, plan.databases);
      }
    } finally {
      await coordinator.query("UNLOCK TABLES");
    }
    objects ??= await readObjects(coordinator, plan.databases);
    tables ??= await readTables(coordinator, plan.databases);
    progress.tablesTotal = tables.length;
    progress.phase = "schema";
    publish(true);

    // 2. Schema: databases and tables. Foreign keys are not checked while tables and rows arrive in any order.
    let definersRewritten = 0;
    await replicaAdmin.query("SET SESSION foreign_key_checks = 0");
    for (const database of objects.databaseSql) await replicaAdmin.query(database.sql);
    for (const table of objects.tables) {
      await replicaAdmin.query(`USE ${ident(table.schema)}`);
      await replicaAdmin.query(table.sql);
    }

    // 3. Data: parallel workers, each a reader in the snapshot and a writer on the replica.
    progress.phase = "data";
    publish(true);
    const items: WorkItem[] = [];
    for (const table of tables) {
      if (table.integerKey && table.estimatedRows > chunkRows * 1.5) {
        const keyColumn = ident(table.primaryKey[0] ?? "");
        const [bounds] = await rows(
          readers[0] as Connection,
          `SELECT MIN(${keyColumn}) AS lo, MAX(${keyColumn}) AS hi FROM ${ident(table.schema)}.${ident(table.name)}`,
        );
        const lo = bounds?.lo === null || bounds?.lo === undefined ? null : BigInt(text(bounds.lo));
        const hi = bounds?.hi === null || bounds?.hi === undefined ? null : BigInt(text(bounds.hi));
        if (lo !== null && hi !== null && hi > lo) {
          const pieces = BigInt(Math.min(64, Math.ceil(table.estimatedRows / chunkRows)));
          const step = (hi - lo) / pieces + 1n;
          for (let from = lo; from <= hi; from += step) {
            const to = from + step > hi ? null : from + step;
            items.push({
              table,
              range: { from: from === lo ? null : String(from), to: to === null ? null : String(to) },
            });
          }
          continue;
        }
      }
      items.push({ table, range: null });
    }
    const remaining = new Map<TableMeta, number>();
    for (const item of items) remaining.set(item.table, (remaining.get(item.table) ?? 0) + 1);
    let next = 0;
    let batches = 0;
    let failure: unknown = null;

    const copyItem = async (reader: Connection, writer: Connection, item: WorkItem) => {
      const { table } = item;
      const columns = table.columns.map(ident).join(", ");
      const selected = table.selectList.join(", ");
      const from = `${ident(table.schema)}.${ident(table.name)}`;
      const insertSql = `INSERT INTO ${from} (${columns}) VALUES ?`;
      const limit = Math.max(1, Math.min(batchRows, Math.floor(batchBytes / table.avgRowBytes)));
      const write = async (batch: unknown[][], bytes: number) => {
        if (batch.length === 0) return;
        await writer.query(insertSql, [batch]);
        progress.rows += batch.length;
        progress.bytes += bytes;
        batches += 1;
        publish();
        await options.afterBatch?.(batches);
      };
      if (table.primaryKey.length === 0) {
        // No key to page by: one streamed scan in the snapshot, with back-pressure, batches of bounded size.
        await new Promise<void>((resolve, reject) => {
          const stream = streamingCore(reader)
            .query({ sql: `SELECT ${selected} FROM ${from}`, rowsAsArray: true })
            .stream({ highWaterMark: 256 });
          let batch: unknown[][] = [];
          let bytes = 0;
          let writing: Promise<void> = Promise.resolve();
          stream.on("data", (row: unknown[]) => {
            batch.push(row);
            bytes += row.reduce<number>((sum, value) => sum + valueBytes(value), 0);
            if (batch.length >= limit || bytes >= batchBytes) {
              const full = batch;
              const size = bytes;
              batch = [];
              bytes = 0;
              stream.pause();
              writing = writing.then(() => write(full, size));
              writing.then(
                () => stream.resume(),
                (error: unknown) => {
                  stream.destroy();
                  reject(error instanceof Error ? error : new Error(String(error)));
                },
              );
            }
          });
          stream.on("error", reject);
          stream.on("end", () => {
            writing.then(() => write(batch, bytes)).then(resolve, reject);
          });
        });
        return;
      }
      const keyColumns = table.primaryKey.map(ident);
      const keyIndexes = table.primaryKey.map((name) => table.columns.indexOf(name));
      const keyTuple = `(${keyColumns.join(", ")})`;
      let last: unknown[] | null = null;
      let pending: Promise<void> = Promise.resolve();
      for (;;) {
        const where: string[] = [];
        const params: unknown[] = [];
        if (last) {
          where.push(`${keyTuple} > (${placeholders(last.length)})`);
          params.push(...last);
        } else if (item.range?.from !== null && item.range?.from !== undefined) {
          where.push(`${keyColumns[0]} >= ?`);
          params.push(item.range.from);
        }
        if (item.range?.to !== null && item.range?.to !== undefined) {
          where.push(`${keyColumns[0]} < ?`);
          params.push(item.range.to);
        }
        const [result] = await reader.query({
          sql: `SELECT ${selected} FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${keyColumns.join(", ")} LIMIT ${limit}`,
          rowsAsArray: true,
          values: params,
        });
        const batch = result as unknown as unknown[][];
        // The previous batch's insert overlaps this read; at most two batches per worker are in memory.
        await pending;
        if (failure) return;
        if (batch.length === 0) return;
        const lastRow = batch[batch.length - 1] as unknown[];
        last = keyIndexes.map((index) => lastRow[index]);
        const bytes = batch.reduce<number>(
          (sum, row) => sum + row.reduce<number>((inner, value) => inner + valueBytes(value), 0),
          0,
        );
        pending = write(batch, bytes);
        if (batch.length < limit) {
          await pending;
          return;
        }
      }
    };

    const worker = async (index: number) => {
      const reader = readers[index] as Connection;
      const writer = writers[index] as Connection;
      await writer.query("SET SESSION foreign_key_checks = 0, unique_checks = 0");
      // Zero in an AUTO_INCREMENT column is a value to keep, not a request for the next one (as mysqldump does).
      await writer.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'");
      while (!failure && next < items.length) {
        const item = items[next] as WorkItem;
        next += 1;
        await copyItem(reader, writer, item);
        const left = (remaining.get(item.table) ?? 1) - 1;
        remaining.set(item.table, left);
        if (left === 0) progress.tablesDone += 1;
      }
    };
    await Promise.all(
      readers.map((_, index) =>
        worker(index).catch((error: unknown) => {
          failure ??= error;
          // The other workers stop at their next batch; their connections are closed below.
        }),
      ),
    );
    if (failure) throw failure instanceof Error ? failure : new Error("a copying connection failed");
    for (const reader of readers) await reader.query("COMMIT");

    // 4. Objects that must not act during the data copy, and views over the tables now there.
    progress.phase = "objects";
    publish(true);
    const createObject = async (object: SchemaObject, sql: string) => {
      const rewritten = withoutDefiner(sql);
      if (rewritten.rewritten) definersRewritten += 1;
      await replicaAdmin.query(`USE ${ident(object.schema)}`);
      await replicaAdmin.query("SET SESSION sql_mode = ?", [object.sqlMode]);
      try {
        await replicaAdmin.query(rewritten.sql);
      } catch (error) {
        if (isFunctionCreatorError(error))
          throw new LoadFailure(
            "LOAD_FUNCTION_CREATORS",
            `The replica refuses to create ${object.schema}.${object.name}: with binary logging on, triggers and stored functions need log_bin_trust_function_creators=ON for an admin without SUPER (error 1419).`,
            "Set the replica's server parameter log_bin_trust_function_creators to ON, then provision again.",
          );
        throw error;
      }
    };
    // Views may select from views: create those whose dependencies exist, until none is left or none progresses.
    let views = [...objects.views];
    while (views.length > 0) {
      const failed: SchemaObject[] = [];
      let lastError: unknown = null;
      for (const view of views) {
        try {
          await createObject(view, view.sql);
        } catch (error) {
          if ((error as { errno?: number }).errno !== 1146) throw error;
          failed.push(view);
          lastError = error;
        }
      }
      if (failed.length === views.length) throw lastError;
      views = failed;
    }
    for (const routine of objects.routines) await createObject(routine, routine.sql);
    for (const trigger of objects.triggers) await createObject(trigger, trigger.sql);
    for (const event of objects.events)
      await createObject(event, disabledOnReplica(event.sql, replicaVersion));
    if (method === "backupLockAndReadLock") await coordinator.query("UNLOCK INSTANCE");

    if (definersRewritten > 0)
      notes.push(
        `${definersRewritten} view(s), routine(s), trigger(s) or event(s) were created with the replica admin as DEFINER (Azure allows no other); check their SQL SECURITY if they relied on another account's rights.`,
      );
    if (objects.events.length > 0)
      notes.push(
        `${objects.events.length} event(s) were created DISABLED ON REPLICA: they run on the source, and their changes replicate.`,
      );
    notes.push(
      "Accounts and grants (the mysql schema) are not copied: create the application's accounts on the replica.",
    );
    progress.phase = "done";
    publish(true);
    const durationMs = Date.now() - startedAt;
    return {
      databases: plan.databases,
      method,
      coordinates,
      stats: {
        tables: tables.length,
        rows: progress.rows,
        bytes: progress.bytes,
        durationMs,
        rowsPerSecond: Math.round(progress.rows / Math.max(0.001, durationMs / 1000)),
        views: objects.views.length,
        routines: objects.routines.length,
        triggers: objects.triggers.length,
        events: objects.events.length,
        definersRewritten,
        attempt: options.attempt,
      },
      notes,
    };
  } finally {
    // Closing ends the snapshot transactions and releases both locks if they are still held.
    await Promise.all(opened.map((connection) => closeQuietly(connection)));
  }
}
