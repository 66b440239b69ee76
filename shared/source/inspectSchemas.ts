// The inspection account's reading of the schemas: offending tables, split foreign keys, the replication user's account and the binary logs.
import {
  type MysqlSession,
  type ServerIdentity,
  cellText,
  supportsWindowFunctions,
} from "../mysql/mysqlSession";
import {
  type Inspected,
  OFFENDER_LIST_LIMIT,
  type ReplicationAccounts,
  type SplitForeignKey,
  type TableList,
} from "./gatheredFacts";
import { type BinaryLogs, readBinaryLogs } from "./readBinaryLogs";
import { SYSTEM_SCHEMAS } from "../domain/systemSchemas";

const SYSTEM_SCHEMA_LIST = SYSTEM_SCHEMAS.map((name) => `'${name}'`).join(",");

interface TableQuery {
  from: string;
  where: string;
}

/**
 * Base tables without a primary key. STATISTICS rather than TABLE_CONSTRAINTS: MariaDB hides TABLE_CONSTRAINTS
 * rows from an account that has only SELECT (a read-only inspection account), so every table would look keyless.
 */
const MISSING_PRIMARY_KEY: TableQuery = {
  from: `information_schema.TABLES t
    LEFT JOIN (SELECT DISTINCT TABLE_SCHEMA, TABLE_NAME FROM information_schema.STATISTICS WHERE INDEX_NAME = 'PRIMARY') k
      ON k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME`,
  where: "t.TABLE_TYPE = 'BASE TABLE' AND k.TABLE_NAME IS NULL",
};

/**
 * Tables with a generated invisible primary key (MySQL 8.0.30+): the column my_row_id, invisible and AUTO_INCREMENT.
 * Visible in information_schema while show_gipk_in_create_table_and_information_schema is ON (the default).
 */
const GENERATED_INVISIBLE_KEY: TableQuery = {
  from: "information_schema.TABLES t JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME",
  where: "c.COLUMN_NAME = 'my_row_id' AND c.COLUMN_KEY = 'PRI' AND c.EXTRA LIKE '%INVISIBLE%'",
};

/** Base tables whose engine is not InnoDB. */
const NOT_INNODB: TableQuery = {
  from: "information_schema.TABLES t",
  where: "t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE <> 'InnoDB'",
};

/** Tables whose schema or name is not all lower case (they matter when lower_case_table_names differs). */
const MIXED_CASE: TableQuery = {
  from: "information_schema.TABLES t",
  where:
    "(BINARY t.TABLE_NAME <> BINARY LOWER(t.TABLE_NAME) OR BINARY t.TABLE_SCHEMA <> BINARY LOWER(t.TABLE_SCHEMA))",
};

function hasGeneratedInvisibleKeys(identity: ServerIdentity): boolean {
  if (identity.flavor !== "mysql") return false;
  return identity.major > 8 || (identity.major === 8 && (identity.minor > 0 || identity.patch >= 30));
}

function tableList(rows: readonly Record<string, unknown>[]): TableList {
  const total = rows.length > 0 ? Number(rows[0]?.total ?? rows.length) : 0;
  const names = rows
    .slice(0, OFFENDER_LIST_LIMIT)
    .map((row) => `${cellText(row.TABLE_SCHEMA)}.${cellText(row.TABLE_NAME)}`);
  return { names, total };
}

/**
 * One information_schema query listing offending tables: the first 50 and, where window functions exist, the
 * total; older servers return every row and the total is their count.
 */
function offendersSql(identity: ServerIdentity, from: string, where: string): string {
  const windowed = supportsWindowFunctions(identity);
  return `SELECT t.TABLE_SCHEMA, t.TABLE_NAME${windowed ? ", COUNT(*) OVER () AS total" : ""}
    FROM ${from}
    WHERE t.TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMA_LIST}) AND ${where}
    ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME${windowed ? ` LIMIT ${OFFENDER_LIST_LIMIT}` : ""}`;
}

/**
 * SQL that is true when schema.table matches one of the replicate-wild-ignore-table patterns, with the patterns as
 * bound values. MySQL's wildcard filter and LIKE share their rules (% any run, _ one character, \ escapes); both
 * sides lower-cased because the Azure replica compares names case-insensitively (lower_case_table_names=1).
 */
function ignoredTableSql(
  patterns: readonly string[],
  schema: string,
  table: string,
): { sql: string; params: string[] } {
  const one = `LOWER(CONCAT(${schema}, '.', ${table})) LIKE LOWER(?)`;
  return { sql: `(${patterns.map(() => one).join(" OR ")})`, params: [...patterns] };
}

async function offenders(
  session: MysqlSession,
  identity: ServerIdentity,
  query: TableQuery,
  ignoreTables: readonly string[] = [],
): Promise<TableList> {
  if (ignoreTables.length === 0)
    return tableList(await session.query(offendersSql(identity, query.from, query.where)));
  const ignored = ignoredTableSql(ignoreTables, "t.TABLE_SCHEMA", "t.TABLE_NAME");
  return tableList(
    await session.query(
      offendersSql(identity, query.from, `${query.where} AND NOT ${ignored.sql}`),
      ignored.params,
    ),
  );
}

/**
 * Foreign keys whose two tables fall on different sides of the filter (one replicated, one not), one more than the
 * report lists so that it can say there are more. One query.
 */
async function splitForeignKeys(
  session: MysqlSession,
  patterns: readonly string[],
): Promise<SplitForeignKey[]> {
  const child = ignoredTableSql(patterns, "k.TABLE_SCHEMA", "k.TABLE_NAME");
  const parent = ignoredTableSql(patterns, "k.REFERENCED_TABLE_SCHEMA", "k.REFERENCED_TABLE_NAME");
  const rows = await session.query(
    `SELECT DISTINCT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
        ${child.sql} AS child_ignored
      FROM information_schema.KEY_COLUMN_USAGE k
      WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND k.TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMA_LIST})
        AND ${child.sql} <> ${parent.sql}
      ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME
      LIMIT ${OFFENDER_LIST_LIMIT + 1}`,
    [...child.params, ...child.params, ...parent.params],
  );
  return rows.map((row) => ({
    from: `${cellText(row.TABLE_SCHEMA)}.${cellText(row.TABLE_NAME)}`,
    constraint: cellText(row.CONSTRAINT_NAME),
    to: `${cellText(row.REFERENCED_TABLE_SCHEMA)}.${cellText(row.REFERENCED_TABLE_NAME)}`,
    childIgnored: Number(row.child_ignored) === 1,
  }));
}

async function replicationAccounts(session: MysqlSession, user: string): Promise<ReplicationAccounts> {
  try {
    const rows = await session.query("SELECT Host, plugin, ssl_type FROM mysql.user WHERE User = ?", [user]);
    return { rows: rows.map((row) => ({ plugin: cellText(row.plugin), sslType: cellText(row.ssl_type) })) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export async function inspectSchemas(
  session: MysqlSession,
  identity: ServerIdentity,
  input: { replicationUser: string; ignoreTables?: readonly string[] },
): Promise<{ inspection: Inspected; binaryLogs: BinaryLogs }> {
  const ignoreTables = input.ignoreTables ?? [];
  const inspection: Inspected = {
    state: "inspected",
    tablesWithoutPrimaryKey: await offenders(session, identity, MISSING_PRIMARY_KEY, ignoreTables),
    tablesNotInnodb: await offenders(session, identity, NOT_INNODB, ignoreTables),
    splitForeignKeys: ignoreTables.length > 0 ? await splitForeignKeys(session, ignoreTables) : null,
    mixedCaseTables: await offenders(session, identity, MIXED_CASE),
    invisibleKeyTables: hasGeneratedInvisibleKeys(identity)
      ? await offenders(session, identity, GENERATED_INVISIBLE_KEY)
      : null,
    replicationAccounts: await replicationAccounts(session, input.replicationUser),
  };
  return { inspection, binaryLogs: await readBinaryLogs(session, identity) };
}
