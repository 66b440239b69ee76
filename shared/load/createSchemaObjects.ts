// Recreates the source's schema on the replica: databases and tables before the data, then views, routines, triggers, events.
import type { Connection } from "mysql2/promise";
import { withoutDefiner } from "./definers";
import { disabledOnReplica } from "./disabledOnReplica";
import { ident } from "./loadConnection";
import { LoadFailure } from "./loadFailure";
import { type SchemaObject, type SchemaObjects } from "./readSchemaObjects";

const NO_SUCH_TABLE_ERRNO = 1146;
const FUNCTION_CREATORS_ERRNO = 1419;

/** Databases and tables; foreign keys are not checked while tables and rows arrive in any order. */
export async function createTables(replicaAdmin: Connection, objects: SchemaObjects): Promise<void> {
  await replicaAdmin.query("SET SESSION foreign_key_checks = 0");
  for (const database of objects.databaseSql) await replicaAdmin.query(database.sql);
  for (const table of objects.tables) {
    await replicaAdmin.query(`USE ${ident(table.schema)}`);
    await replicaAdmin.query(table.sql);
  }
}

/** Creates one object under its own sql_mode, as the replica admin (Azure allows no other DEFINER); true if rewritten. */
async function createObject(replicaAdmin: Connection, object: SchemaObject, sql: string): Promise<boolean> {
  const rewritten = withoutDefiner(sql);
  await replicaAdmin.query(`USE ${ident(object.schema)}`);
  await replicaAdmin.query("SET SESSION sql_mode = ?", [object.sqlMode]);
  try {
    await replicaAdmin.query(rewritten.sql);
  } catch (error) {
    if ((error as { errno?: number }).errno === FUNCTION_CREATORS_ERRNO)
      throw new LoadFailure(
        "LOAD_FUNCTION_CREATORS",
        `The replica refuses to create ${object.schema}.${object.name}: with binary logging on, triggers and stored functions need log_bin_trust_function_creators=ON for an admin without SUPER (error 1419).`,
        "Set the replica's server parameter log_bin_trust_function_creators to ON, then provision again.",
      );
    throw error;
  }
  return rewritten.rewritten;
}

/**
 * The objects that must not act during the data copy, and views over the tables now there. Views may select from
 * views: those whose dependencies exist are created, until none is left or none progresses. Returns how many
 * definitions had their DEFINER rewritten.
 */
export async function createProgramObjects(
  replicaAdmin: Connection,
  objects: SchemaObjects,
  replicaVersion: string,
): Promise<number> {
  let definersRewritten = 0;
  const create = async (object: SchemaObject, sql = object.sql) => {
    if (await createObject(replicaAdmin, object, sql)) definersRewritten += 1;
  };
  let views = [...objects.views];
  while (views.length > 0) {
    const failed: SchemaObject[] = [];
    let lastError: unknown = null;
    for (const view of views) {
      try {
        await create(view);
      } catch (error) {
        if ((error as { errno?: number }).errno !== NO_SUCH_TABLE_ERRNO) throw error;
        failed.push(view);
        lastError = error;
      }
    }
    if (failed.length === views.length) throw lastError;
    views = failed;
  }
  for (const routine of objects.routines) await create(routine);
  for (const trigger of objects.triggers) await create(trigger);
  for (const event of objects.events) await create(event, disabledOnReplica(event.sql, replicaVersion));
  return definersRewritten;
}
