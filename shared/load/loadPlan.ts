// Plans an initial load before anything changes: the load user's privileges, the databases, and the replica's emptiness, as checks.
import type { Connection } from "mysql2/promise";
import { type MysqlEndpoint } from "../mysql/mysqlSession";
import { type CheckResult } from "../domain/checkResult";
import { closeQuietly, openLoadConnection, rows } from "./loadConnection";
import { type InitialLoadSpec, type LoadPlan } from "./loadTypes";
import { placeholders } from "./sqlValues";
import {
  databasesToLoad,
  functionCreatorsCheck,
  loadEnginesCheck,
  loadLinkingCheck,
  loadSizeCheck,
  replicaEmptyCheck,
  snapshotMethodCheck,
} from "./loadChecks";

export interface LoadPlanning {
  checks: CheckResult[];
  plan: LoadPlan | null;
}

async function readPrivileges(source: Connection): Promise<Set<string>> {
  const granted = await rows(
    source,
    "SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')",
  );
  return new Set(granted.map((row) => String(row.p).toUpperCase()));
}

async function readSizes(source: Connection, databases: string[]) {
  const [sizes] = await rows(
    source,
    `SELECT COUNT(*) AS n, COALESCE(SUM(TABLE_ROWS), 0) AS r, COALESCE(SUM(DATA_LENGTH), 0) AS b, SUM(ENGINE <> 'InnoDB') AS other FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (${placeholders(databases.length)})`,
    databases,
  );
  return {
    tables: Number(sizes?.n ?? 0),
    rows: Number(sizes?.r ?? 0),
    bytes: Number(sizes?.b ?? 0),
    nonInnodb: Number(sizes?.other ?? 0),
  };
}

/** What the replica already holds of the databases to load: the databases, and their tables, routines and events. */
async function readReplicaContents(replica: Connection, databases: string[]) {
  const marks = placeholders(databases.length);
  const present = await rows(
    replica,
    `SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${marks})`,
    databases,
  );
  const occupied = await rows(
    replica,
    `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${marks})
     UNION ALL SELECT CONCAT(ROUTINE_SCHEMA, '.', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${marks})
     UNION ALL SELECT CONCAT(EVENT_SCHEMA, '.', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (${marks})
     ORDER BY 1`,
    [...databases, ...databases, ...databases],
  );
  return { present: present.map((row) => String(row.s)), occupied: occupied.map((row) => String(row.t)) };
}

async function readFunctionCreators(source: Connection, replica: Connection, databases: string[]) {
  const marks = placeholders(databases.length);
  const [creators] = await rows(
    source,
    `SELECT (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${marks}))
          + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_SCHEMA IN (${marks})) AS n`,
    [...databases, ...databases],
  );
  const [replicaLog] = await rows(
    replica,
    "SELECT @@GLOBAL.log_bin AS logBin, @@GLOBAL.log_bin_trust_function_creators AS trusted",
  );
  return {
    creators: Number(creators?.n ?? 0),
    replica: {
      logBin: Number(replicaLog?.logBin) === 1,
      trustFunctionCreators: Number(replicaLog?.trusted) === 1,
    },
  };
}

export async function planLoad(
  source: MysqlEndpoint,
  replica: MysqlEndpoint,
  spec: InitialLoadSpec,
  linking: "binlogPosition" | "gtid",
): Promise<LoadPlanning> {
  const found: (CheckResult | null)[] = [];
  const sourceConnection = await openLoadConnection(source);
  let replicaConnection: Connection | undefined;
  try {
    const [versionRow] = await rows(sourceConnection, "SELECT @@version AS v");
    const version = typeof versionRow?.v === "string" ? versionRow.v : "";
    const snapshot = snapshotMethodCheck(version, await readPrivileges(sourceConnection));
    found.push(snapshot.check, loadLinkingCheck(linking));
    const schemas = await rows(
      sourceConnection,
      "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME",
    );
    const { databases, check: databasesCheck } = databasesToLoad(
      spec.databases,
      schemas.map((row) => String(row.s)),
    );
    found.push(databasesCheck);
    const sizes = databases.length > 0 ? await readSizes(sourceConnection, databases) : null;
    found.push(loadEnginesCheck(sizes?.nonInnodb ?? 0));
    replicaConnection = await openLoadConnection(replica);
    let preExisting: string[] = [];
    if (databases.length > 0) {
      const contents = await readReplicaContents(replicaConnection, databases);
      if (spec.existingTables === "refuse") preExisting = contents.present;
      found.push(replicaEmptyCheck(spec.existingTables, databases, contents.present, contents.occupied));
      const creators = await readFunctionCreators(sourceConnection, replicaConnection, databases);
      found.push(functionCreatorsCheck(creators.creators, creators.replica));
    }
    const totals = { tables: sizes?.tables ?? 0, rows: sizes?.rows ?? 0, bytes: sizes?.bytes ?? 0 };
    found.push(loadSizeCheck(databases.length, totals));
    const checks = found.filter((item): item is CheckResult => item !== null);
    const blocked = checks.some((item) => item.status === "fail");
    return {
      checks,
      plan:
        blocked || !snapshot.method
          ? null
          : {
              databases,
              preExisting,
              tables: totals.tables,
              estimatedRows: totals.rows,
              estimatedBytes: totals.bytes,
              method: snapshot.method,
            },
    };
  } finally {
    await closeQuietly(sourceConnection);
    await closeQuietly(replicaConnection);
  }
}
