// Removes what an initial load created on the replica: before each copy attempt, and when a provisioning with a load fails.
import { type MysqlEndpoint } from "../mysql/mysqlSession";
import { closeQuietly, ident, openLoadConnection, rows } from "./loadConnection";
import { type LoadPlan } from "./loadTypes";

/**
 * A database the load created is dropped whole. A database that existed before (refuse mode only lets an empty one
 * through) keeps existing, emptied of every object, as it was. Replace mode dropped those databases at the user's
 * request, so the load owns them too. Returns what was done, one line per database.
 */
export async function cleanReplica(
  endpoint: MysqlEndpoint,
  plan: Pick<LoadPlan, "databases" | "preExisting">,
): Promise<string[]> {
  const connection = await openLoadConnection(endpoint);
  const done: string[] = [];
  try {
    await connection.query("SET SESSION foreign_key_checks = 0");
    const keep = new Set(plan.preExisting.map((name) => name.toLowerCase()));
    for (const database of plan.databases) {
      const [exists] = await rows(
        connection,
        "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        [database],
      );
      if (!exists) continue;
      if (!keep.has(database.toLowerCase())) {
        await connection.query(`DROP DATABASE IF EXISTS ${ident(database)}`);
        done.push(`dropped database ${database}`);
        continue;
      }
      const objects = await rows(
        connection,
        `SELECT 'TABLE' AS k, TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?
         UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME, '' FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
         UNION ALL SELECT 'EVENT', EVENT_NAME, '' FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
        [database, database, database],
      );
      for (const object of objects) {
        const name = `${ident(database)}.${ident(String(object.n))}`;
        const kind = String(object.k);
        if (kind === "TABLE")
          await connection.query(`DROP ${object.t === "VIEW" ? "VIEW" : "TABLE"} IF EXISTS ${name}`);
        else if (kind === "FUNCTION" || kind === "PROCEDURE")
          await connection.query(`DROP ${kind} IF EXISTS ${name}`);
        else await connection.query(`DROP EVENT IF EXISTS ${name}`);
      }
      if (objects.length > 0) done.push(`emptied database ${database} (${objects.length} object(s))`);
    }
    return done;
  } finally {
    await closeQuietly(connection);
  }
}
