// GTID arithmetic without a server: MySQL GTID sets (uuid[:tag]:intervals), compared before linking.

/** A closed interval of transaction numbers, start <= end. */
interface GtidInterval {
  start: number;
  end: number;
}

/** A MySQL GTID set: source UUID (lower case, or uuid:tag on 8.3+) to sorted, disjoint, non-adjacent intervals. */
export type MysqlGtidSet = Map<string, GtidInterval[]>;

export class GtidParseError extends Error {
  override readonly name = "GtidParseError";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TAG = /^[a-z_][a-z0-9_]{0,31}$/;

function normalise(intervals: GtidInterval[]): GtidInterval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: GtidInterval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    // Adjacent intervals merge too: 1-3 and 4-5 are 1-5, as the server prints them.
    if (last && interval.start <= last.end + 1) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

function parseInterval(text: string, whole: string): GtidInterval {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match?.[1]) throw new GtidParseError(`"${text}" is not a transaction interval in GTID set "${whole}"`);
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < 1 || end < start || !Number.isSafeInteger(end)) {
    throw new GtidParseError(`"${text}" is not a valid interval in GTID set "${whole}"`);
  }
  return { start, end };
}

/**
 * Parses what `SELECT @@GLOBAL.gtid_executed` returns: UUID sets separated by commas, and the server inserts a
 * newline after each comma once the set has several UUIDs. MySQL 8.3+ tags (`uuid:tag:1-5`) are kept as part of the key.
 */
export function parseMysqlGtidSet(text: string): MysqlGtidSet {
  const set: MysqlGtidSet = new Map();
  const compact = text.replace(/\s+/g, "");
  if (compact === "") return set;
  for (const part of compact.split(",")) {
    if (part === "") throw new GtidParseError(`empty entry in GTID set "${text}"`);
    const fields = part.split(":");
    const uuid = fields.shift()?.toLowerCase() ?? "";
    if (!UUID.test(uuid)) throw new GtidParseError(`"${uuid}" is not a server UUID in GTID set "${text}"`);
    // Intervals after a tag belong to uuid:tag, those before it to the untagged uuid (`uuid:1-5:tag:1-3`).
    let key = uuid;
    let intervals: GtidInterval[] = [];
    const flush = () => {
      if (intervals.length > 0) set.set(key, normalise([...(set.get(key) ?? []), ...intervals]));
    };
    for (const field of fields) {
      if (/^\d/.test(field)) {
        intervals.push(parseInterval(field, text));
      } else if (TAG.test(field.toLowerCase())) {
        flush();
        key = `${uuid}:${field.toLowerCase()}`;
        intervals = [];
      } else {
        throw new GtidParseError(`"${field}" is neither an interval nor a tag in GTID set "${text}"`);
      }
    }
    if (intervals.length === 0) throw new GtidParseError(`"${part}" has no intervals in GTID set "${text}"`);
    flush();
  }
  return set;
}

export function formatMysqlGtidSet(set: MysqlGtidSet): string {
  return [...set.entries()]
    .filter(([, intervals]) => intervals.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([key, intervals]) =>
        `${key}:${intervals.map((i) => (i.start === i.end ? `${i.start}` : `${i.start}-${i.end}`)).join(":")}`,
    )
    .join(",");
}

export function mysqlGtidUnion(a: MysqlGtidSet, b: MysqlGtidSet): MysqlGtidSet {
  const result: MysqlGtidSet = new Map();
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    result.set(key, normalise([...(a.get(key) ?? []), ...(b.get(key) ?? [])]));
  }
  return result;
}

/** a minus b, like GTID_SUBTRACT(a, b). */
export function mysqlGtidSubtract(a: MysqlGtidSet, b: MysqlGtidSet): MysqlGtidSet {
  const result: MysqlGtidSet = new Map();
  for (const [key, intervals] of a) {
    let remaining = intervals.map((i) => ({ ...i }));
    for (const cut of b.get(key) ?? []) {
      remaining = remaining.flatMap((i) => {
        if (cut.end < i.start || cut.start > i.end) return [i];
        const pieces: GtidInterval[] = [];
        if (cut.start > i.start) pieces.push({ start: i.start, end: cut.start - 1 });
        if (cut.end < i.end) pieces.push({ start: cut.end + 1, end: i.end });
        return pieces;
      });
    }
    if (remaining.length > 0) result.set(key, remaining);
  }
  return result;
}

/** a is contained in b, like GTID_SUBSET(a, b). */
export function mysqlGtidSubset(a: MysqlGtidSet, b: MysqlGtidSet): boolean {
  return mysqlGtidSubtract(a, b).size === 0;
}

export function isEmptyMysqlGtidSet(set: MysqlGtidSet): boolean {
  return [...set.values()].every((intervals) => intervals.length === 0);
}
