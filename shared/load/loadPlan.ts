// Plans an initial load before anything changes: the load user's privileges, the databases, and the replica's emptiness, as checks.
import { type MysqlEndpoint } from "../mysql/mysqlSession";
import { type CheckResult, check } from "../source/checkResult";
import { closeQuietly, openLoadConnection, rows } from "./loadConnection";
import { type InitialLoadSpec, type LoadPlan, type SnapshotMethod, SYSTEM_SCHEMAS } from "./loadTypes";

const LIST_LIMIT = 20;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LIST_LIMIT).join(", ");
  return names.length > LIST_LIMIT ? `${shown} and ${names.length - LIST_LIMIT} more` : shown;
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/** The snapshot method this user's privileges and the source's version allow, or the privileges it lacks. */
function chooseSnapshotMethod(
  version: string,
  privileges: ReadonlySet<string>,
): { method: SnapshotMethod | null; missing: string[]; warnings: string[] } {
  const has = (name: string) => privileges.has(name) || privileges.has("ALL PRIVILEGES");
  const missing = ["RELOAD", "REPLICATION CLIENT", "SELECT"].filter((name) => !has(name));
  const warnings: string[] = [];
  const backupLockAvailable = atLeast(version, 8, 0);
  let method: SnapshotMethod = "readLock";
  if (backupLockAvailable && has("BACKUP_ADMIN")) method = "backupLockAndReadLock";
  else if (backupLockAvailable)
    warnings.push(
      "Without BACKUP_ADMIN the load cannot hold LOCK INSTANCE FOR BACKUP: DDL on the source during the copy makes the copy fail and start again.",
    );
  return { method: missing.length === 0 ? method : null, missing, warnings };
}

export interface LoadPlanning {
  checks: CheckResult[];
  plan: LoadPlan | null;
}

export async function planLoad(
  source: MysqlEndpoint,
  replica: MysqlEndpoint,
  spec: InitialLoadSpec,
  linking: "binlogPosition" | "gtid",
): Promise<LoadPlanning> {
  const checks: CheckResult[] = [];
  const sourceConnection = await openLoadConnection(source);
  let replicaConnection;
  try {
    const [versionRow] = await rows(sourceConnection, "SELECT @@version AS v");
    const version = typeof versionRow?.v === "string" ? versionRow.v : "";
    const privileges = new Set(
      (
        await rows(
          sourceConnection,
          "SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')",
        )
      ).map((row) => String(row.p).toUpperCase()),
    );
    const choice = chooseSnapshotMethod(version, privileges);
    if (!choice.method) {
      checks.push(
        check(
          "LOAD_PRIVILEGES",
          "fail",
          `The load user (source.inspectionUser) lacks ${choice.missing.join(", ")}: a consistent copy needs RELOAD (FLUSH TABLES WITH READ LOCK), REPLICATION CLIENT (the binlog position) and SELECT; BACKUP_ADMIN is also used on MySQL 8.0+.`,
          `GRANT ${[...choice.missing, ...(atLeast(version, 8, 0) ? ["BACKUP_ADMIN"] : [])].join(", ")} ON *.* TO the inspection user, plus SHOW VIEW, TRIGGER, EVENT${atLeast(version, 8, 0) ? ", SHOW_ROUTINE" : ""} when the databases have views, triggers, events or routines.`,
        ),
      );
    } else {
      checks.push(
        check(
          "LOAD_PRIVILEGES",
          choice.warnings.length ? "warn" : "pass",
          `The load takes its snapshot with ${choice.method === "backupLockAndReadLock" ? "LOCK INSTANCE FOR BACKUP and a brief FLUSH TABLES WITH READ LOCK" : "a brief FLUSH TABLES WITH READ LOCK"} (MySQL ${version}). ${choice.warnings.join(" ")}`.trim(),
          choice.warnings.length ? "GRANT BACKUP_ADMIN ON *.* TO the inspection user." : "",
        ),
      );
    }
    if (linking !== "binlogPosition") {
      checks.push(
        check(
          "LOAD_LINKING",
          "fail",
          "An initial load links the replica at its snapshot's binlog file/position; this provisioning would link by GTID.",
          'Give "linking": "binlogPosition" (a Flexible replica with high availability only links by GTID: seed it from a dump and provision without initialLoad).',
        ),
      );
    }

    const schemas = (
      await rows(
        sourceConnection,
        "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME",
      )
    ).map((row) => String(row.s));
    const system = new Set<string>(SYSTEM_SCHEMAS);
    let databases: string[];
    if (spec.databases === "all") databases = schemas.filter((name) => !system.has(name.toLowerCase()));
    else {
      const known = new Set(schemas);
      const absent = spec.databases.filter((name) => !known.has(name));
      if (absent.length > 0)
        checks.push(
          check(
            "LOAD_DATABASES",
            "fail",
            `Databases to load that the source does not have (or the load user cannot see): ${listed(absent)}.`,
            "Fix initialLoad.databases, or grant the inspection user SELECT on them.",
          ),
        );
      databases = spec.databases.filter((name) => known.has(name));
    }
    if (databases.length === 0 && !checks.some((item) => item.code === "LOAD_DATABASES"))
      checks.push(
        check(
          "LOAD_DATABASES",
          "fail",
          "The source has no user database to load.",
          "Create the data first, or provision without initialLoad.",
        ),
      );

    let tables = 0;
    let estimatedRows = 0;
    let estimatedBytes = 0;
    if (databases.length > 0) {
      const marks = databases.map(() => "?").join(",");
      const sizes = await rows(
        sourceConnection,
        `SELECT COUNT(*) AS n, COALESCE(SUM(TABLE_ROWS), 0) AS r, COALESCE(SUM(DATA_LENGTH), 0) AS b, SUM(ENGINE <> 'InnoDB') AS other FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${marks})`,
        databases,
      );
      tables = Number(sizes[0]?.n ?? 0);
      estimatedRows = Number(sizes[0]?.r ?? 0);
      estimatedBytes = Number(sizes[0]?.b ?? 0);
      if (Number(sizes[0]?.other ?? 0) > 0)
        checks.push(
          check(
            "LOAD_ENGINES",
            "fail",
            "Some tables to load are not InnoDB: only InnoDB tables are read in a consistent snapshot.",
            "Convert them to InnoDB (ALTER TABLE ... ENGINE=InnoDB), or leave their databases out of initialLoad.databases.",
          ),
        );
    }

    replicaConnection = await openLoadConnection(replica);
    const preExisting: string[] = [];
    if (databases.length > 0) {
      const marks = databases.map(() => "?").join(",");
      const present = (
        await rows(
          replicaConnection,
          `SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${marks})`,
          databases,
        )
      ).map((row) => String(row.s));
      const occupied = (
        await rows(
          replicaConnection,
          `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${marks})
           UNION ALL SELECT CONCAT(ROUTINE_SCHEMA, '.', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${marks})
           UNION ALL SELECT CONCAT(EVENT_SCHEMA, '.', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (${marks})
           ORDER BY 1`,
          [...databases, ...databases, ...databases],
        )
      ).map((row) => String(row.t));
      if (spec.existingTables === "refuse") {
        preExisting.push(...present);
        checks.push(
          occupied.length > 0
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
              ),
        );
      } else if (present.length > 0) {
        checks.push(
          check(
            "LOAD_REPLICA_EMPTY",
            "warn",
            `existingTables is "replace": the replica's databases ${listed(present)} (${occupied.length} object(s)) will be dropped and re-created from the source.`,
          ),
        );
      }
    }
    if (databases.length > 0) {
      const marks = databases.map(() => "?").join(",");
      const [creators] = await rows(
        sourceConnection,
        `SELECT (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${marks}))
              + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_SCHEMA IN (${marks})) AS n`,
        [...databases, ...databases],
      );
      const [replicaLog] = await rows(
        replicaConnection,
        "SELECT @@GLOBAL.log_bin AS logBin, @@GLOBAL.log_bin_trust_function_creators AS trusted",
      );
      const count = Number(creators?.n ?? 0);
      if (count > 0 && Number(replicaLog?.logBin) === 1 && Number(replicaLog?.trusted) !== 1)
        checks.push(
          check(
            "LOAD_FUNCTION_CREATORS",
            "fail",
            `The databases to load have ${count} trigger(s) or stored function(s), and the replica (binary logging on, log_bin_trust_function_creators OFF) refuses to create them for an admin without SUPER (error 1419).`,
            "Set the replica's server parameter log_bin_trust_function_creators to ON (Azure portal: Server parameters), then provision again.",
          ),
        );
    }
    checks.push(
      check(
        "LOAD_SIZE",
        "pass",
        `${databases.length} database(s), ${tables} table(s), about ${estimatedRows} rows and ${Math.round(estimatedBytes / 1048576)} MiB to copy.`,
      ),
    );
    const blocked = checks.some((item) => item.status === "fail");
    return {
      checks,
      plan:
        blocked || !choice.method
          ? null
          : { databases, preExisting, tables, estimatedRows, estimatedBytes, method: choice.method },
    };
  } finally {
    await closeQuietly(sourceConnection);
    await closeQuietly(replicaConnection);
  }
}
