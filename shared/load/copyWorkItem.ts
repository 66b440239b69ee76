// Copies one work item's rows from its reader's snapshot in bounded batches: keyset pages, or one streamed scan without a key.
import type { Connection } from "mysql2/promise";
import { ident } from "./loadConnection";
import { type WorkItem } from "./splitWorkItems";
import { placeholders, rowBytes } from "./sqlValues";

export interface BatchSink {
  /** Inserts one batch on the replica (an empty batch is ignored). */
  write(batch: unknown[][], bytes: number): Promise<void>;
  /** True once another worker failed: stop at the next batch. */
  stopped(): boolean;
}

export interface BatchLimits {
  rows: number;
  bytes: number;
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

/** No key to page by: one streamed scan in the snapshot, with back-pressure, batches of bounded size. */
function streamWhole(reader: Connection, sql: string, limits: BatchLimits, sink: BatchSink): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stream = streamingCore(reader).query({ sql, rowsAsArray: true }).stream({ highWaterMark: 256 });
    let batch: unknown[][] = [];
    let bytes = 0;
    let writing: Promise<void> = Promise.resolve();
    stream.on("data", (row: unknown[]) => {
      batch.push(row);
      bytes += rowBytes(row);
      if (batch.length >= limits.rows || bytes >= limits.bytes) {
        const full = batch;
        const size = bytes;
        batch = [];
        bytes = 0;
        stream.pause();
        writing = writing.then(() => sink.write(full, size));
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
      writing.then(() => sink.write(batch, bytes)).then(resolve, reject);
    });
  });
}

/** Keyset pages in key order within the item's range; the previous page's insert overlaps the next read. */
async function pageByKey(
  reader: Connection,
  item: WorkItem,
  selected: string,
  from: string,
  limits: BatchLimits,
  sink: BatchSink,
): Promise<void> {
  const { table, range } = item;
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
    } else if (range?.from !== null && range?.from !== undefined) {
      where.push(`${keyColumns[0]} >= ?`);
      params.push(range.from);
    }
    if (range?.to !== null && range?.to !== undefined) {
      where.push(`${keyColumns[0]} < ?`);
      params.push(range.to);
    }
    const [result] = await reader.query({
      sql: `SELECT ${selected} FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${keyColumns.join(", ")} LIMIT ${limits.rows}`,
      rowsAsArray: true,
      values: params,
    });
    const batch = result as unknown as unknown[][];
    // At most two batches per worker are in memory: the one being inserted and the one just read.
    await pending;
    if (sink.stopped() || batch.length === 0) return;
    const lastRow = batch[batch.length - 1] as unknown[];
    last = keyIndexes.map((index) => lastRow[index]);
    pending = sink.write(
      batch,
      batch.reduce<number>((sum, row) => sum + rowBytes(row), 0),
    );
    if (batch.length < limits.rows) {
      await pending;
      return;
    }
  }
}

export async function copyWorkItem(
  reader: Connection,
  item: WorkItem,
  limits: BatchLimits,
  sink: BatchSink,
): Promise<void> {
  const { table } = item;
  const selected = table.selectList.join(", ");
  const from = `${ident(table.schema)}.${ident(table.name)}`;
  // The row limit per batch also keeps a batch of average rows under the byte budget.
  const rowLimit = Math.max(1, Math.min(limits.rows, Math.floor(limits.bytes / table.avgRowBytes)));
  const itemLimits = { rows: rowLimit, bytes: limits.bytes };
  if (table.primaryKey.length === 0)
    return streamWhole(reader, `SELECT ${selected} FROM ${from}`, itemLimits, sink);
  return pageByKey(reader, item, selected, from, itemLimits, sink);
}
