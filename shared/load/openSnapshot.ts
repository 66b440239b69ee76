// The snapshot: every reader's read view opened at one binlog position while writes are held, and the schema as of it.
import type { Connection } from "mysql2/promise";
import { rows } from "./loadConnection";
import { LoadFailure } from "./loadFailure";
import { type LoadCoordinates, type SnapshotMethod } from "./loadTypes";
import { type SchemaObjects, readSchemaObjects } from "./readSchemaObjects";
import { type TableMeta, readTables } from "./readTables";
import { cellText as text } from "../mysql/mysqlSession";

export interface Snapshot {
  coordinates: LoadCoordinates;
  objects: SchemaObjects;
  tables: TableMeta[];
}

/** Reads the source's coordinates under the lock: file, position and executed GTIDs. */
async function readCoordinates(connection: Connection, version: string): Promise<LoadCoordinates> {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const statement =
    major > 8 || (major === 8 && minor >= 2) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
  const [row] = await rows(connection, statement);
  if (!row?.File)
    throw new LoadFailure(
      "LOAD_NO_BINLOG",
      "The source reports no binary log status (is log_bin on?).",
      "Enable binary logging on the source.",
    );
  return {
    file: text(row.File),
    position: Number(row.Position),
    gtidExecuted: text(row.Executed_Gtid_Set).replace(/\s+/g, ""),
  };
}

/**
 * The backup lock (MySQL 8.0+, BACKUP_ADMIN) blocks DDL and stays held until the copy ends (released by the caller, or
 * by closing the coordinator), so the schema read after the read lock is released is the snapshot's; the read lock
 * itself is held only while the position is read and every reader opens its read view.
 */
export async function openSnapshot(
  coordinator: Connection,
  readers: readonly Connection[],
  method: SnapshotMethod,
  databases: string[],
): Promise<Snapshot> {
  const [versionRow] = await rows(coordinator, "SELECT @@version AS v");
  for (const reader of readers) await reader.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  if (method === "backupLockAndReadLock") await coordinator.query("LOCK INSTANCE FOR BACKUP");
  await coordinator.query("FLUSH TABLES WITH READ LOCK");
  let coordinates: LoadCoordinates;
  let objects: SchemaObjects | undefined;
  let tables: TableMeta[] | undefined;
  try {
    coordinates = await readCoordinates(coordinator, text(versionRow?.v));
    for (const reader of readers) await reader.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    if (method === "readLock") {
      // Without the backup lock nothing stops DDL after the read lock: read the schema under it.
      objects = await readSchemaObjects(coordinator, databases);
      tables = await readTables(coordinator, databases);
    }
  } finally {
    await coordinator.query("UNLOCK TABLES");
  }
  objects ??= await readSchemaObjects(coordinator, databases);
  tables ??= await readTables(coordinator, databases);
  return { coordinates, objects, tables };
}
