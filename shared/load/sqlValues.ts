// Pure helpers for the copy's SQL values: a placeholder list, and a value's approximate size in bytes.
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
