// The data phase: one worker per reader/writer pair takes work items in turn until all are copied or one fails.
import type { Connection } from "mysql2/promise";
import { ident } from "./loadConnection";
import { type BatchLimits, type BatchSink, copyWorkItem } from "./copyWorkItem";
import { type WorkItem } from "./splitWorkItems";
import { type TableMeta } from "./readTables";

export interface CopyCounters {
  /** Called after each inserted batch, with the running batch count. */
  batchWritten(rows: number, bytes: number, batches: number): Promise<void>;
  tableDone(): void;
}

export async function copyData(
  readers: readonly Connection[],
  writers: readonly Connection[],
  items: readonly WorkItem[],
  limits: BatchLimits,
  counters: CopyCounters,
): Promise<void> {
  const remaining = new Map<TableMeta, number>();
  for (const item of items) remaining.set(item.table, (remaining.get(item.table) ?? 0) + 1);
  let next = 0;
  let batches = 0;
  let failure: unknown = null;

  const sinkFor = (writer: Connection, item: WorkItem): BatchSink => {
    const columns = item.table.columns.map(ident).join(", ");
    const insertSql = `INSERT INTO ${ident(item.table.schema)}.${ident(item.table.name)} (${columns}) VALUES ?`;
    return {
      write: async (batch, bytes) => {
        if (batch.length === 0) return;
        await writer.query(insertSql, [batch]);
        batches += 1;
        await counters.batchWritten(batch.length, bytes, batches);
      },
      stopped: () => failure !== null,
    };
  };

  const worker = async (reader: Connection, writer: Connection) => {
    await writer.query("SET SESSION foreign_key_checks = 0, unique_checks = 0");
    // Zero in an AUTO_INCREMENT column is a value to keep, not a request for the next one (as mysqldump does).
    await writer.query("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'");
    while (failure === null && next < items.length) {
      const item = items[next] as WorkItem;
      next += 1;
      await copyWorkItem(reader, item, limits, sinkFor(writer, item));
      const left = (remaining.get(item.table) ?? 1) - 1;
      remaining.set(item.table, left);
      if (left === 0) counters.tableDone();
    }
  };
  await Promise.all(
    readers.map((reader, index) =>
      worker(reader, writers[index] as Connection).catch((error: unknown) => {
        // The other workers stop at their next batch; their connections are closed by the caller.
        failure ??= error;
      }),
    ),
  );
  if (failure !== null) throw failure instanceof Error ? failure : new Error("a copying connection failed");
}
