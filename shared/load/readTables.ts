// Reads the base tables to copy: their copied columns (generated ones left out, FLOAT read losslessly), key and size.
import type { Connection } from "mysql2/promise";
import { ident, rows } from "./loadConnection";
import { placeholders } from "./sqlValues";
import { cellText as text } from "../mysql/mysqlSession";

export interface TableMeta {
  schema: string;
  name: string;
  columns: string[];
  /** What each column is read as: the column itself, or a lossless expression (FLOAT). */
  selectList: string[];
  primaryKey: string[];
  integerKey: boolean;
  avgRowBytes: number;
  estimatedRows: number;
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "mediumint", "int", "bigint"]);

export async function readTables(coordinator: Connection, databases: string[]): Promise<TableMeta[]> {
  const list = placeholders(databases.length);
  const [tables, columns, keys] = [
    await rows(
      coordinator,
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_ROWS AS n, AVG_ROW_LENGTH AS l FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${list}) ORDER BY DATA_LENGTH DESC`,
      databases,
    ),
    await rows(
      coordinator,
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS d, EXTRA AS e FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${list}) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
      databases,
    ),
    await rows(
      coordinator,
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA IN (${list}) ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX`,
      databases,
    ),
  ];
  const key = (row: Record<string, unknown>) => `${text(row.s)}\u0000${text(row.t)}`;
  const columnsOf = new Map<string, { name: string; type: string }[]>();
  for (const row of columns) {
    // Generated columns are computed by the replica; inserting into them is refused.
    // (EXTRA says VIRTUAL GENERATED or STORED GENERATED; DEFAULT_GENERATED is an ordinary column with a default.)
    if (/\b(VIRTUAL|STORED) GENERATED\b/i.test(text(row.e))) continue;
    const list = columnsOf.get(key(row)) ?? [];
    list.push({ name: text(row.c), type: text(row.d).toLowerCase() });
    columnsOf.set(key(row), list);
  }
  const keyOf = new Map<string, string[]>();
  for (const row of keys) keyOf.set(key(row), [...(keyOf.get(key(row)) ?? []), text(row.c)]);
  return tables.map((row) => {
    const cols = columnsOf.get(key(row)) ?? [];
    const primaryKey = keyOf.get(key(row)) ?? [];
    const first = cols.find((column) => column.name === primaryKey[0]);
    return {
      schema: text(row.s),
      name: text(row.t),
      columns: cols.map((column) => column.name),
      // MySQL prints a FLOAT with 6 significant digits, which does not give the same float back; as a DOUBLE it is exact.
      selectList: cols.map((column) =>
        column.type === "float" ? `CAST(${ident(column.name)} AS DOUBLE)` : ident(column.name),
      ),
      primaryKey,
      integerKey: primaryKey.length === 1 && first !== undefined && INTEGER_TYPES.has(first.type),
      avgRowBytes: Math.max(16, Number(row.l) || 0),
      estimatedRows: Number(row.n) || 0,
    };
  });
}
