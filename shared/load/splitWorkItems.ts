// Splits the copy into work items: a big table with a single integer key into key ranges copied in parallel, others whole.
import type { Connection } from "mysql2/promise";
import { ident, rows } from "./loadConnection";
import { type TableMeta } from "./readTables";
import { cellText as text } from "../mysql/mysqlSession";

interface KeyRange {
  /** Inclusive; null for the first range. */
  from: string | null;
  /** Exclusive; null for the last range. */
  to: string | null;
}

export interface WorkItem {
  table: TableMeta;
  range: KeyRange | null;
}

const MAX_PIECES = 64;

/** Pure: about `estimatedRows / chunkRows` ranges (at most 64) covering every key from `lo` to `hi` once. */
export function keyRanges(lo: bigint, hi: bigint, estimatedRows: number, chunkRows: number): KeyRange[] {
  const pieces = BigInt(Math.min(MAX_PIECES, Math.ceil(estimatedRows / chunkRows)));
  const step = (hi - lo) / pieces + 1n;
  const ranges: KeyRange[] = [];
  for (let from = lo; from <= hi; from += step) {
    const to = from + step > hi ? null : from + step;
    ranges.push({ from: from === lo ? null : String(from), to: to === null ? null : String(to) });
  }
  return ranges;
}

function bigintOrNull(value: unknown): bigint | null {
  return value === null || value === undefined ? null : BigInt(text(value));
}

export async function splitWorkItems(
  reader: Connection,
  tables: readonly TableMeta[],
  chunkRows: number,
): Promise<WorkItem[]> {
  const items: WorkItem[] = [];
  for (const table of tables) {
    if (table.integerKey && table.estimatedRows > chunkRows * 1.5) {
      const keyColumn = ident(table.primaryKey[0] ?? "");
      const [bounds] = await rows(
        reader,
        `SELECT MIN(${keyColumn}) AS lo, MAX(${keyColumn}) AS hi FROM ${ident(table.schema)}.${ident(table.name)}`,
      );
      const lo = bigintOrNull(bounds?.lo);
      const hi = bigintOrNull(bounds?.hi);
      if (lo !== null && hi !== null && hi > lo) {
        for (const range of keyRanges(lo, hi, table.estimatedRows, chunkRows)) items.push({ table, range });
        continue;
      }
    }
    items.push({ table, range: null });
  }
  return items;
}
