// Table filters: MySQL's replicate-wild-ignore-table patterns, validated, matched, and merged into the server parameter.

/** The Azure server parameter (Single and Flexible Server) that holds the patterns, comma-separated. */
export const IGNORE_TABLE_PARAMETER = "replicate_wild_ignore_table";

/**
 * The table filter of a link: the request's patterns, the replicate_wild_ignore_table value this app set (merged with
 * the server's own), and the value before, which rollback, teardown and cutover put back.
 */
export interface TableFilterState {
  parameter: typeof IGNORE_TABLE_PARAMETER;
  ignoreTables: string[];
  value: string;
  previousValue: string;
}

/**
 * Longest value this app writes to the parameter. Azure documents no limit for it: the configurations API reports it as
 * a free-text String with empty allowedValues, and MySQL sets none for --replicate-wild-ignore-table. The cap is this
 * app's choice, so that a request cannot grow the parameter without bound; it holds for the merged value (the
 * server's own patterns plus the request's).
 */
export const IGNORE_TABLE_VALUE_MAX_LENGTH = 4096;

/** MySQL's identifier limit: a database or table name is at most 64 characters, so a longer literal never matches. */
const IDENTIFIER_MAX_LENGTH = 64;
export const IGNORE_TABLE_PATTERNS_MAX = 100;

/** Splits on the first unescaped dot: MySQL's rule matches the pattern against "db.table". */
function unescapedDots(pattern: string): number[] {
  const dots: number[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i] === "\\") i += 1;
    else if (pattern[i] === ".") dots.push(i);
  }
  return dots;
}

/** Characters a name must have to match: `%` matches none, `_` one, an escaped pair one. */
function literalLength(part: string): number {
  let length = 0;
  for (let i = 0; i < part.length; i += 1) {
    if (part[i] === "\\") {
      i += 1;
      length += 1;
    } else if (part[i] !== "%") length += 1;
  }
  return length;
}

/** Why `pattern` is not a replicate-wild-ignore-table pattern this app accepts; undefined when it is one. */
export function invalidIgnorePattern(pattern: string): string | undefined {
  if (pattern.length === 0) return "must not be empty";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\u0000-\u001f\u007f]/.test(pattern)) return "must not contain control characters";
  if (pattern.includes(","))
    return "must not contain a comma: the server parameter separates patterns with commas";
  if (pattern.trim() !== pattern) return "must not start or end with spaces";
  if (/(^|[^\\])(\\\\)*\\$/.test(pattern))
    return "must not end with a lone backslash (\\ escapes the next character)";
  const dots = unescapedDots(pattern);
  if (dots.length === 0) return "must be db.table: a database pattern and a table pattern separated by a dot";
  if (dots.length > 1)
    return "must have one unescaped dot between the database and the table pattern (names cannot contain a dot; escape a literal one as \\.)";
  const dot = dots[0]!;
  const database = pattern.slice(0, dot);
  const table = pattern.slice(dot + 1);
  if (database === "") return "needs a database pattern before the dot (use % for every database)";
  if (table === "") return "needs a table pattern after the dot (use % for every table)";
  for (const [what, part] of [
    ["database", database],
    ["table", table],
  ] as const) {
    if (literalLength(part) > IDENTIFIER_MAX_LENGTH)
      return `has a ${what} pattern that needs more than ${IDENTIFIER_MAX_LENGTH} characters, the MySQL name limit: it can never match`;
  }
  return undefined;
}

/** The patterns in a parameter value, as MySQL reads the comma-separated list. */
export function parseIgnoreValue(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * The value to write: the server's own patterns first, then the request's that are not already there. Merging, not
 * refusing: the operator's patterns stay in force while the link runs, and the previous value comes back unchanged on
 * rollback, teardown and cutover.
 */
export function mergeIgnoreValue(current: string, patterns: readonly string[]): string {
  const existing = parseIgnoreValue(current);
  const seen = new Set(existing.map((item) => item.toLowerCase()));
  const added = patterns.filter((item) => !seen.has(item.toLowerCase()));
  return [...existing, ...added].join(",");
}

/** The same set of patterns, whatever the order and letter case (the replica compares names case-insensitively). */
export function sameIgnoreValue(a: string, b: string): boolean {
  const normalise = (value: string) =>
    [...new Set(parseIgnoreValue(value).map((item) => item.toLowerCase()))].sort().join(",");
  return normalise(a) === normalise(b);
}

/**
 * Whether `db.table` matches a pattern as MySQL's wildcard compare does: `%` any run, `_` one character, `\` escapes,
 * letter case ignored (Azure replicas run with lower_case_table_names=1).
 */
export function matchesIgnorePattern(pattern: string, database: string, table: string): boolean {
  let source = "^";
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === "\\" && i + 1 < pattern.length) {
      i += 1;
      source += pattern[i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (char === "%") source += "[\\s\\S]*";
    else if (char === "_") source += "[\\s\\S]";
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`${source}$`, "iu").test(`${database}.${table}`);
}
