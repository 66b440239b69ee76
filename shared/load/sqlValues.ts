// Pure helpers for the copy's SQL values: a cell as text, a placeholder list, and a value's approximate size in bytes.
export function cellString(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}

export function placeholders(count: number): string {
  return new Array<string>(count).fill("?").join(",");
}

/** What a row costs in memory and on the wire, roughly: what bounds a batch. */
export function rowBytes(row: readonly unknown[]): number {
  return row.reduce<number>((sum, value) => {
    if (value === null || value === undefined) return sum + 4;
    if (typeof value === "string") return sum + Buffer.byteLength(value);
    if (Buffer.isBuffer(value)) return sum + value.length;
    return sum + 8;
  }, 0);
}
