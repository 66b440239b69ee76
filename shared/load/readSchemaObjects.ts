// Reads the definitions to recreate on the replica: databases, tables, views, routines, triggers and events, in that order.
import type { Connection } from "mysql2/promise";
import { ident, rows } from "./loadConnection";
import { LoadFailure } from "./loadFailure";
import { placeholders } from "./sqlValues";
import { cellText as text } from "../mysql/mysqlSession";

export interface SchemaObject {
  schema: string;
  name: string;
  sql: string;
  sqlMode: string;
}

export interface SchemaObjects {
  databaseSql: SchemaObject[];
  tables: SchemaObject[];
  views: SchemaObject[];
  routines: SchemaObject[];
  triggers: SchemaObject[];
  events: SchemaObject[];
}

/** How one kind of object is listed (s, n, k columns) and how its definition is shown. */
interface ObjectKind {
  list: (databases: string) => string;
  show: (kind: string) => { statement: string; column: string };
}

const KINDS: Record<Exclude<keyof SchemaObjects, "databaseSql">, ObjectKind> = {
  tables: {
    list: (dbs) =>
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, '' AS k FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${dbs})`,
    show: () => ({ statement: "SHOW CREATE TABLE", column: "Create Table" }),
  },
  views: {
    list: (dbs) =>
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, '' AS k FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (${dbs})`,
    show: () => ({ statement: "SHOW CREATE VIEW", column: "Create View" }),
  },
  routines: {
    list: (dbs) =>
      `SELECT ROUTINE_SCHEMA AS s, ROUTINE_NAME AS n, ROUTINE_TYPE AS k FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${dbs})`,
    show: (kind) =>
      kind === "FUNCTION"
        ? { statement: "SHOW CREATE FUNCTION", column: "Create Function" }
        : { statement: "SHOW CREATE PROCEDURE", column: "Create Procedure" },
  },
  triggers: {
    list: (dbs) =>
      `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS n, '' AS k FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${dbs}) ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER`,
    show: () => ({ statement: "SHOW CREATE TRIGGER", column: "SQL Original Statement" }),
  },
  events: {
    list: (dbs) =>
      `SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n, '' AS k FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (${dbs})`,
    show: () => ({ statement: "SHOW CREATE EVENT", column: "Create Event" }),
  },
};

async function showCreate(
  coordinator: Connection,
  sql: string,
  column: string,
): Promise<{ sql: string; sqlMode: string }> {
  const [row] = await rows(coordinator, sql);
  const statement = row?.[column];
  if (statement === null || statement === undefined)
    throw new LoadFailure(
      "LOAD_OBJECT_UNREADABLE",
      `${sql} returned no definition: the load user may not read it.`,
      "Grant the load (inspection) user SHOW_ROUTINE (routines), SHOW VIEW (views), TRIGGER (triggers) and EVENT (events) on the source.",
    );
  return { sql: text(statement), sqlMode: text(row?.sql_mode) };
}

async function readKind(
  coordinator: Connection,
  databases: string[],
  kind: ObjectKind,
): Promise<SchemaObject[]> {
  const listed = await rows(coordinator, kind.list(placeholders(databases.length)), databases);
  const objects: SchemaObject[] = [];
  for (const row of listed) {
    const item = { schema: text(row.s), name: text(row.n) };
    const show = kind.show(text(row.k));
    const made = await showCreate(
      coordinator,
      `${show.statement} ${ident(item.schema)}.${ident(item.name)}`,
      show.column,
    );
    objects.push({ ...item, ...made });
  }
  return objects;
}

export async function readSchemaObjects(
  coordinator: Connection,
  databases: string[],
): Promise<SchemaObjects> {
  const databaseSql: SchemaObject[] = [];
  for (const schema of databases) {
    const made = await showCreate(
      coordinator,
      `SHOW CREATE DATABASE IF NOT EXISTS ${ident(schema)}`,
      "Create Database",
    );
    databaseSql.push({ schema, name: schema, ...made });
  }
  return {
    databaseSql,
    tables: await readKind(coordinator, databases, KINDS.tables),
    views: await readKind(coordinator, databases, KINDS.views),
    routines: await readKind(coordinator, databases, KINDS.routines),
    triggers: await readKind(coordinator, databases, KINDS.triggers),
    events: await readKind(coordinator, databases, KINDS.events),
  };
}
