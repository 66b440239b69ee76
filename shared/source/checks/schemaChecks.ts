// Checks of the replicated tables, read by the inspection account: primary keys, storage engines, foreign keys across the table filters.
import { type CheckResult, check } from "../../domain/checkResult";
import { OFFENDER_LIST_LIMIT, type TableList } from "../gatheredFacts";
import { sourceCheck } from "../sourceCheck";
import { type SourceCheckInput } from "../sourceCheckInput";

function offenderCheck(
  code: string,
  found: TableList,
  passMessage: string,
  problem: string,
  remedy: string,
): CheckResult {
  if (found.total === 0) return check(code, "pass", passMessage);
  const more = found.total > found.names.length ? ` and ${found.total - found.names.length} more` : "";
  return check(code, "fail", `${found.total} table(s) ${problem}: ${found.names.join(", ")}${more}.`, remedy);
}

/** Says which tables the filters left out of a check. */
function filtered(result: CheckResult, { ignoreTables }: SourceCheckInput): CheckResult {
  if (ignoreTables.length === 0) return result;
  return {
    ...result,
    message: `${result.message} Tables matching filters.ignoreTables (${ignoreTables.join(", ")}) are not replicated and were left out of this check.`,
  };
}

const primaryKeys = sourceCheck({
  code: "PRIMARY_KEYS",
  needs: "inspection",
  whenUnmet: "skip",
  rule: ({ inspection }, input) => {
    const result = filtered(
      offenderCheck(
        "PRIMARY_KEYS",
        inspection.tablesWithoutPrimaryKey,
        "Every table outside the system schemas has a primary key.",
        "have no primary key",
        "Add a primary key to each listed table (ALTER TABLE ... ADD PRIMARY KEY); row-based replication without one scans the whole table per row change and can diverge.",
      ),
      input,
    );
    // Single Server requires a primary key on every table; Flexible Server only recommends one (DOMAIN.md).
    if (result.status !== "fail" || input.replicaKind !== "flexible") return result;
    return {
      ...result,
      status: "warn",
      message: `${result.message} Flexible Server replicates tables without a primary key, but recommends one: each row change is then applied by scanning the table on the replica (slow, lag grows with the table).`,
    };
  },
});

const innodbTables = sourceCheck({
  code: "INNODB_TABLES",
  needs: "inspection",
  whenUnmet: "skip",
  rule: ({ inspection }, input) =>
    filtered(
      offenderCheck(
        "INNODB_TABLES",
        inspection.tablesNotInnodb,
        "Every table outside the system schemas uses InnoDB.",
        "do not use InnoDB",
        "Convert each listed table with ALTER TABLE ... ENGINE=InnoDB; Azure Database for MySQL supports InnoDB only.",
      ),
      input,
    ),
});

/**
 * Foreign keys whose two tables fall on different sides of the filter (one replicated, one not): on the replica the
 * constraint then refers to rows that never arrive, or guards rows that are never written.
 */
const tableFilterForeignKeys = sourceCheck({
  code: "TABLE_FILTER_FOREIGN_KEYS",
  needs: "inspection",
  whenUnmet: "skip",
  appliesTo: ({ ignoreTables }) => ignoreTables.length > 0,
  rule: ({ inspection }) => {
    const split = inspection.splitForeignKeys ?? [];
    if (split.length === 0) {
      return check(
        "TABLE_FILTER_FOREIGN_KEYS",
        "pass",
        "No foreign key joins a filtered table to a replicated one.",
      );
    }
    const named = split
      .slice(0, OFFENDER_LIST_LIMIT)
      .map(
        (key) =>
          `${key.from} (${key.constraint}) references ${key.to}, and only ${key.childIgnored ? key.from : key.to} is filtered out`,
      );
    const more = split.length > OFFENDER_LIST_LIMIT ? `; and more` : "";
    return check(
      "TABLE_FILTER_FOREIGN_KEYS",
      "warn",
      `The table filters split foreign keys across replicated and filtered tables: ${named.join("; ")}${more}. On the replica a child row can then reference a parent that never arrives, or a replicated change can fail the constraint (error 1452) and stop the SQL thread.`,
      "Filter out both tables of each listed foreign key (or neither), or drop the foreign key on the replica if the split is intended.",
    );
  },
});

export const schemaChecks = { primaryKeys, innodbTables, tableFilterForeignKeys };
