// Key ranges for parallel copying, without a server: every key from lo to hi in exactly one range, at most 64 ranges.
import { keyRanges } from "../../../shared/load/splitWorkItems";

/** Which range (by index) a key falls in; -1 when none, throws when two claim it. */
function owner(ranges: ReturnType<typeof keyRanges>, key: bigint): number {
  const owners = ranges
    .map((range, index) => ({ range, index }))
    .filter(
      ({ range }) =>
        (range.from === null || key >= BigInt(range.from)) && (range.to === null || key < BigInt(range.to)),
    );
  if (owners.length > 1) throw new Error(`key ${key} is in ${owners.length} ranges`);
  return owners[0]?.index ?? -1;
}

describe("keyRanges", () => {
  it("covers every key once, open at both ends, in about rows/chunk pieces", () => {
    const ranges = keyRanges(1n, 1_000n, 1_000, 250);
    expect(ranges).toHaveLength(4);
    expect(ranges[0]?.from).toBeNull();
    expect(ranges[ranges.length - 1]?.to).toBeNull();
    for (let key = -5n; key <= 1_005n; key += 1n) expect(owner(ranges, key)).toBeGreaterThanOrEqual(0);
  });

  it("never makes more than 64 ranges", () => {
    expect(keyRanges(0n, 10_000_000n, 10_000_000, 1_000).length).toBeLessThanOrEqual(64);
  });

  it("handles keys beyond 2^53 exactly", () => {
    const lo = 9_007_199_254_740_993n;
    const ranges = keyRanges(lo, lo + 100n, 100, 30);
    expect(owner(ranges, lo + 37n)).toBeGreaterThanOrEqual(0);
    expect(ranges.some((range) => range.to === String(lo + 26n))).toBe(true);
  });
});
