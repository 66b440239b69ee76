// Pure: the initial load's checks, each from facts read on the source and the replica before anything changes.
import { type CheckResult, check } from "../domain/checkResult";
import { type InitialLoadSpec, type SnapshotMethod } from "./loadTypes";
import { SYSTEM_SCHEMAS } from "../domain/systemSchemas";

const LIST_LIMIT = 20;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LIST_LIMIT).join(", ");
  return names.length > LIST_LIMIT ? `${shown} and ${names.length - LIST_LIMIT} more` : shown;
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/** The snapshot method this user's privileges and the source's version allow (null: privileges missing), and its check. */
export function snapshotMethodCheck(
  version: string,
  privileges: ReadonlySet<string>,
): { method: SnapshotMethod | null; check: CheckResult } {
  const has = (name: string) => privileges.has(name) || privileges.has("ALL PRIVILEGES");
  const missing = ["RELOAD", "REPLICATION CLIENT", "SELECT"].filter((name) => !has(name));
  const modern = atLeast(version, 8, 0);
  if (missing.length > 0) {
    return {
      method: null,
      check: check(
        "LOAD_PRIVILEGES",
        "fail",
        `The load user (source.inspectionUser) lacks ${missing.join(", ")}: a consistent copy needs RELOAD (FLUSH TABLES WITH READ LOCK), REPLICATION CLIENT (the binlog position) and SELECT; BACKUP_ADMIN is also used on MySQL 8.0+.`,
        `GRANT ${[...missing, ...(modern ? ["BACKUP_ADMIN"] : [])].join(", ")} ON *.* TO the inspection user, plus SHOW VIEW, TRIGGER, EVENT${modern ? ", SHOW_ROUTINE" : ""} when the databases have views, triggers, events or routines.`,
      ),
    };
  }
  const method: SnapshotMethod = modern && has("BACKUP_ADMIN") ? "backupLockAndReadLock" : "readLock";
  const warning = modern && method === "readLock";
  const lock =
    method === "backupLockAndReadLock"
      ? "LOCK INSTANCE FOR BACKUP and a brief FLUSH TABLES WITH READ LOCK"
      : "a brief FLUSH TABLES WITH READ LOCK";
  return {
    method,
    check: check(
      "LOAD_PRIVILEGES",
      warning ? "warn" : "pass",
      `The load takes its snapshot with ${lock} (MySQL ${version}). ${
        warning
          ? "Without BACKUP_ADMIN the load cannot hold LOCK INSTANCE FOR BACKUP: DDL on the source during the copy makes the copy fail and start again."
          : ""
      }`.trim(),
      warning ? "GRANT BACKUP_ADMIN ON *.* TO the inspection user." : "",
    ),
  };
}

export function loadLinkingCheck(linking: "binlogPosition" | "gtid"): CheckResult | null {
  if (linking === "binlogPosition") return null;
  return check(
    "LOAD_LINKING",
    "fail",
    "An initial load links the replica at its snapshot's binlog file/position; this provisioning would link by GTID.",
    'Give "linking": "binlogPosition" (a Flexible replica with high availability only links by GTID: seed it from a dump and provision without initialLoad).',
  );
}

/** The databases to load among the source's schemas ("all": every user database), and the check when that is none or some are absent. */
export function databasesToLoad(
  wanted: InitialLoadSpec["databases"],
  schemas: readonly string[],
): { databases: string[]; check: CheckResult | null } {
  if (wanted === "all") {
    const system = new Set<string>(SYSTEM_SCHEMAS);
    const databases = schemas.filter((name) => !system.has(name.toLowerCase()));
    return { databases, check: databases.length > 0 ? null : noDatabaseCheck() };
  }
  const known = new Set(schemas);
  const absent = wanted.filter((name) => !known.has(name));
  const databases = wanted.filter((name) => known.has(name));
  if (absent.length > 0) {
    return {
      databases,
      check: check(
        "LOAD_DATABASES",
        "fail",
        `Databases to load that the source does not have (or the load user cannot see): ${listed(absent)}.`,
        "Fix initialLoad.databases, or grant the inspection user SELECT on them.",
      ),
    };
  }
  return { databases, check: databases.length > 0 ? null : noDatabaseCheck() };
}

function noDatabaseCheck(): CheckResult {
  return check(
    "LOAD_DATABASES",
    "fail",
    "The source has no user database to load.",
    "Create the data first, or provision without initialLoad.",
  );
}

export function loadEnginesCheck(nonInnodbTables: number): CheckResult | null {
  if (nonInnodbTables === 0) return null;
  return check(
    "LOAD_ENGINES",
    "fail",
    "Some tables to load are not InnoDB: only InnoDB tables are read in a consistent snapshot.",
    "Convert them to InnoDB (ALTER TABLE ... ENGINE=InnoDB), or leave their databases out of initialLoad.databases.",
  );
}

/** `present`: the databases to load the replica already has; `occupied`: their tables, routines and events. */
export function replicaEmptyCheck(
  existingTables: InitialLoadSpec["existingTables"],
  databases: readonly string[],
  present: readonly string[],
  occupied: readonly string[],
): CheckResult | null {
  if (existingTables === "refuse") {
    return occupied.length > 0
      ? check(
          "LOAD_REPLICA_EMPTY",
          "fail",
          `The replica already has ${occupied.length} object(s) in the databases to load: ${listed(occupied)}. Nothing was changed.`,
          'Empty those databases on the replica, or give initialLoad.existingTables "replace" to have the load drop and re-create them.',
        )
      : check(
          "LOAD_REPLICA_EMPTY",
          "pass",
          `The replica has no tables in the ${databases.length} database(s) to load.`,
        );
  }
  if (present.length === 0) return null;
  return check(
    "LOAD_REPLICA_EMPTY",
    "warn",
    `existingTables is "replace": the replica's databases ${listed(present)} (${occupied.length} object(s)) will be dropped and re-created from the source.`,
  );
}

/** Triggers and stored functions need log_bin_trust_function_creators on a binlogging replica whose admin lacks SUPER. */
export function functionCreatorsCheck(
  creators: number,
  replica: { logBin: boolean; trustFunctionCreators: boolean },
): CheckResult | null {
  if (creators === 0 || !replica.logBin || replica.trustFunctionCreators) return null;
  return check(
    "LOAD_FUNCTION_CREATORS",
    "fail",
    `The databases to load have ${creators} trigger(s) or stored function(s), and the replica (binary logging on, log_bin_trust_function_creators OFF) refuses to create them for an admin without SUPER (error 1419).`,
    "Set the replica's server parameter log_bin_trust_function_creators to ON (Azure portal: Server parameters), then provision again.",
  );
}

export function loadSizeCheck(
  databases: number,
  sizes: { tables: number; rows: number; bytes: number },
): CheckResult {
  return check(
    "LOAD_SIZE",
    "pass",
    `${databases} database(s), ${sizes.tables} table(s), about ${sizes.rows} rows and ${Math.round(sizes.bytes / 1048576)} MiB to copy.`,
  );
}
