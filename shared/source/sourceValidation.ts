// Validates a source server for data-in replication: every check of DOMAIN.md runs and is reported, with a fixed number of queries.
import { type CheckResult, check } from "./checkResult";
import { judgeSourceAddress } from "./sourceAddress";
import {
  type MysqlEndpoint,
  MysqlSession,
  type ServerIdentity,
  binaryLogStatusStatement,
  cellText,
  parseServerIdentity,
  readGlobalVariables,
  supportsWindowFunctions,
} from "../mysql/mysqlSession";
import { authPluginRemedy, isTransientMysqlError, mysqlErrno } from "../errors/mysqlErrors";
import { type LinkingMethod, type SourceGtidFacts, gtidModeCheck } from "./gtidChecks";

const OFFENDER_LIST_LIMIT = 50;
const RECOMMENDED_RETENTION_SECONDS = 7 * 24 * 3600;
const SYSTEM_SCHEMAS = ["mysql", "information_schema", "performance_schema", "sys"];

export type { LinkingMethod } from "./gtidChecks";

export interface SourceValidationInput {
  host: string;
  port: number;
  replicationUser: string;
  replicationPassword: string;
  caCertificate?: string;
  inspection?: { user: string; password: string };
  binlog?: { file: string; position: number };
  linking: LinkingMethod;
  /** The replica's kind: Flexible Server only recommends primary keys (a warning), Single Server requires them. */
  replicaKind?: "single" | "flexible";
  /**
   * Tables left out of replication (replicate-wild-ignore-table patterns): not checked for keys and engines, and
   * foreign keys between them and replicated tables are reported.
   */
  ignoreTables?: readonly string[];
  allowPrivateAddresses: boolean;
  /**
   * Asked only when the source resolves to a private address (and allowPrivateAddresses is off): the replica's delegated
   * subnet when it is a VNet-integrated Flexible Server, which may reach a private source; null otherwise.
   */
  replicaVnetSubnet?: () => Promise<string | null>;
  connectTimeoutMs: number;
}

interface BinlogCoordinates {
  file: string;
  position: number;
}

export interface SourceFacts {
  resolvedIpv4: string | null;
  reachable: boolean;
  identity: ServerIdentity | null;
  serverId: number | null;
  lowerCaseTableNames: number | null;
  gtidMode: string | null;
  /** Everything GTID linking needs to know about the source. */
  gtid: SourceGtidFacts;
  currentCoordinates: BinlogCoordinates | null;
  /** Tables whose schema or name has upper-case letters; null when no inspection account could look. */
  mixedCaseTables: { names: string[]; total: number } | null;
  /** Base tables without a primary key; null when no inspection account could look. */
  tablesWithoutPrimaryKey: { names: string[]; total: number } | null;
  /** The source's sql_generate_invisible_primary_key (MySQL 8.0.30+), and its tables that have a generated one. */
  invisiblePrimaryKeys: { generate: boolean | null; tables: { names: string[]; total: number } | null };
}

export interface SourceValidation {
  checks: CheckResult[];
  facts: SourceFacts;
  roundTrips: number;
}

type ConnectOutcome =
  { session: MysqlSession } | { errorCheck: CheckResult; unreachable: boolean; tlsProblem?: string };

const TLS_ERROR_CODES = new Set([
  "HANDSHAKE_NO_SSL_SUPPORT",
  "HANDSHAKE_SSL_ERROR",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function endpointFor(
  input: SourceValidationInput,
  address: string,
  user: string,
  password: string,
): MysqlEndpoint {
  return {
    // The judged address, never the name: a second lookup could answer with another (DNS rebinding).
    host: address,
    port: input.port,
    user,
    password,
    tls: input.caCertificate ? { ca: input.caCertificate } : false,
    connectTimeoutMs: input.connectTimeoutMs,
  };
}

async function connectAs(endpoint: MysqlEndpoint, role: string): Promise<ConnectOutcome> {
  try {
    return { session: await MysqlSession.open(endpoint) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const errno = mysqlErrno(error);
    const text = errorText(error);
    if (typeof code === "string" && TLS_ERROR_CODES.has(code)) {
      return {
        unreachable: false,
        tlsProblem: text,
        errorCheck: check(
          "SOURCE_TLS",
          "fail",
          `TLS with the source failed for the ${role}: ${text}`,
          "Supply the CA certificate (PEM) that signed the source's server certificate, and make sure TLS is enabled on the source.",
        ),
      };
    }
    if (errno === 3159 || /insecure transport|secure transport/i.test(text)) {
      return {
        unreachable: false,
        tlsProblem: text,
        errorCheck: check(
          "SOURCE_TLS",
          "fail",
          "The source requires TLS (require_secure_transport) and no CA certificate was supplied.",
          "Add source.caCertificate with the PEM of the CA that signed the source's certificate.",
        ),
      };
    }
    if (errno === 1045) {
      return {
        unreachable: false,
        errorCheck: check(
          role === "replication user" ? "REPLICATION_USER_LOGIN" : "INSPECTION_USER_LOGIN",
          "fail",
          `The ${role} ${endpoint.user} cannot log in to the source: access denied.`,
          "Check the user name and the password the secret reference resolves to; a user created with REQUIRE SSL also needs source.caCertificate. Grants may be host-specific: the user must be allowed from the replica's and this app's addresses.",
        ),
      };
    }
    const unreachable = isTransientMysqlError(error) || code === "ENOTFOUND";
    return {
      unreachable,
      errorCheck: check(
        unreachable
          ? "SOURCE_REACHABLE"
          : role === "replication user"
            ? "REPLICATION_USER_LOGIN"
            : "INSPECTION_USER_LOGIN",
        "fail",
        unreachable
          ? `The source ${endpoint.host}:${endpoint.port} cannot be reached: ${text}`
          : `The ${role} ${endpoint.user} cannot connect: ${text}`,
        unreachable
          ? "Make sure the source listens on a public address and port, and that its firewall admits the replica and this app."
          : "See the MySQL error above.",
      ),
    };
  }
}

function skippedAll(codes: readonly string[], reason: string): CheckResult[] {
  return codes.map((code) => check(code, "skipped", reason));
}

function grantsAllowReplication(grantLines: readonly string[]): boolean {
  return grantLines.some((line) => {
    const match = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO/i.exec(line);
    if (!match?.[1]) return false;
    const privileges = match[1].toUpperCase();
    return privileges.includes("ALL PRIVILEGES") || /\bREPLICATION (SLAVE|REPLICA)\b/.test(privileges);
  });
}

function namesList(rows: readonly Record<string, unknown>[]): { names: string[]; total: number } {
  const total = rows.length > 0 ? Number(rows[0]?.total ?? rows.length) : 0;
  const names = rows
    .slice(0, OFFENDER_LIST_LIMIT)
    .map((row) => `${cellText(row.TABLE_SCHEMA)}.${cellText(row.TABLE_NAME)}`);
  return { names, total };
}

function describeOffenders(names: readonly string[], total: number): string {
  const more = total > names.length ? ` and ${total - names.length} more` : "";
  return `${names.join(", ")}${more}`;
}

const SYSTEM_SCHEMA_LIST = SYSTEM_SCHEMAS.map((name) => `'${name}'`).join(",");

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

function describeFilters(patterns: readonly string[]): string {
  return ` Tables matching filters.ignoreTables (${patterns.join(", ")}) are not replicated and were left out of this check.`;
}

/**
 * Foreign keys whose two tables fall on different sides of the filter (one replicated, one not): on the replica the
 * constraint then refers to rows that never arrive, or guards rows that are never written. One query.
 */
async function splitForeignKeys(session: MysqlSession, patterns: readonly string[]): Promise<CheckResult> {
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
  if (rows.length === 0)
    return check(
      "TABLE_FILTER_FOREIGN_KEYS",
      "pass",
      "No foreign key joins a filtered table to a replicated one.",
    );
  const named = rows.slice(0, OFFENDER_LIST_LIMIT).map((row) => {
    const from = `${cellText(row.TABLE_SCHEMA)}.${cellText(row.TABLE_NAME)}`;
    const to = `${cellText(row.REFERENCED_TABLE_SCHEMA)}.${cellText(row.REFERENCED_TABLE_NAME)}`;
    const ignored = Number(row.child_ignored) === 1 ? from : to;
    return `${from} (${cellText(row.CONSTRAINT_NAME)}) references ${to}, and only ${ignored} is filtered out`;
  });
  const more = rows.length > OFFENDER_LIST_LIMIT ? `; and more` : "";
  return check(
    "TABLE_FILTER_FOREIGN_KEYS",
    "warn",
    `The table filters split foreign keys across replicated and filtered tables: ${named.join("; ")}${more}. On the replica a child row can then reference a parent that never arrives, or a replicated change can fail the constraint (error 1452) and stop the SQL thread.`,
    "Filter out both tables of each listed foreign key (or neither), or drop the foreign key on the replica if the split is intended.",
  );
}

/**
 * Base tables without a primary key. STATISTICS rather than TABLE_CONSTRAINTS: MariaDB hides TABLE_CONSTRAINTS
 * rows from an account that has only SELECT (a read-only inspection account), so every table would look keyless.
 */
const MISSING_PRIMARY_KEY = {
  from: `information_schema.TABLES t
    LEFT JOIN (SELECT DISTINCT TABLE_SCHEMA, TABLE_NAME FROM information_schema.STATISTICS WHERE INDEX_NAME = 'PRIMARY') k
      ON k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME`,
  where: "t.TABLE_TYPE = 'BASE TABLE' AND k.TABLE_NAME IS NULL",
};

/**
 * Tables with a generated invisible primary key (MySQL 8.0.30+): the column my_row_id, invisible and AUTO_INCREMENT.
 * Visible in information_schema while show_gipk_in_create_table_and_information_schema is ON (the default).
 */
const GENERATED_INVISIBLE_KEY = {
  from: "information_schema.TABLES t JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME",
  where: "c.COLUMN_NAME = 'my_row_id' AND c.COLUMN_KEY = 'PRI' AND c.EXTRA LIKE '%INVISIBLE%'",
};

function hasGeneratedInvisibleKeys(identity: ServerIdentity): boolean {
  if (identity.flavor !== "mysql") return false;
  return identity.major > 8 || (identity.major === 8 && (identity.minor > 0 || identity.patch >= 30));
}

/** Base tables whose engine is not InnoDB. */
const NOT_INNODB = {
  from: "information_schema.TABLES t",
  where: "t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE <> 'InnoDB'",
};

/** Tables whose schema or name is not all lower case (they matter when lower_case_table_names differs). */
const MIXED_CASE = {
  from: "information_schema.TABLES t",
  where:
    "(BINARY t.TABLE_NAME <> BINARY LOWER(t.TABLE_NAME) OR BINARY t.TABLE_SCHEMA <> BINARY LOWER(t.TABLE_SCHEMA))",
};

async function offenders(
  session: MysqlSession,
  identity: ServerIdentity,
  query: { from: string; where: string },
  ignoreTables: readonly string[] = [],
) {
  if (ignoreTables.length === 0)
    return namesList(await session.query(offendersSql(identity, query.from, query.where)));
  const ignored = ignoredTableSql(ignoreTables, "t.TABLE_SCHEMA", "t.TABLE_NAME");
  return namesList(
    await session.query(
      offendersSql(identity, query.from, `${query.where} AND NOT ${ignored.sql}`),
      ignored.params,
    ),
  );
}

function offenderCheck(
  code: string,
  found: { names: string[]; total: number },
  passMessage: string,
  problem: string,
  remedy: string,
): CheckResult {
  return found.total === 0
    ? check(code, "pass", passMessage)
    : check(
        code,
        "fail",
        `${found.total} table(s) ${problem}: ${describeOffenders(found.names, found.total)}.`,
        remedy,
      );
}

const VARIABLES = [
  "version",
  "version_comment",
  "log_bin",
  "binlog_format",
  "server_id",
  "lower_case_table_names",
  "gtid_mode",
  "enforce_gtid_consistency",
  "gtid_executed",
  "gtid_purged",
  "require_secure_transport",
  "have_ssl",
  "binlog_expire_logs_seconds",
  "expire_logs_days",
  "sql_generate_invisible_primary_key",
] as const;

function retentionSeconds(variables: Map<string, string>): number | null {
  const seconds = Number(variables.get("binlog_expire_logs_seconds") ?? "");
  const days = Number(variables.get("expire_logs_days") ?? "");
  if (Number.isFinite(seconds) && seconds > 0) return seconds;
  if (Number.isFinite(days) && days > 0) return Math.round(days * 86400);
  if (variables.has("binlog_expire_logs_seconds") || variables.has("expire_logs_days")) return 0;
  return null;
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && ["ON", "1", "YES"].includes(value.toUpperCase());
}

interface InspectionFindings {
  checks: CheckResult[];
  mixedCaseTables: { names: string[]; total: number };
  tablesWithoutPrimaryKey: { names: string[]; total: number };
  invisibleKeyTables: { names: string[]; total: number } | null;
  userRequiresTls: boolean | null;
  binaryLogs: Map<string, number> | null;
  currentCoordinates: BinlogCoordinates | null;
}

async function inspectSchemas(
  session: MysqlSession,
  identity: ServerIdentity,
  input: SourceValidationInput,
): Promise<InspectionFindings> {
  const checks: CheckResult[] = [];
  const ignoreTables = input.ignoreTables ?? [];
  const filtered = (result: CheckResult): CheckResult =>
    ignoreTables.length === 0
      ? result
      : { ...result, message: `${result.message}${describeFilters(ignoreTables)}` };
  const tablesWithoutPrimaryKey = await offenders(session, identity, MISSING_PRIMARY_KEY, ignoreTables);
  const primaryKeys = filtered(
    offenderCheck(
      "PRIMARY_KEYS",
      tablesWithoutPrimaryKey,
      "Every table outside the system schemas has a primary key.",
      "have no primary key",
      "Add a primary key to each listed table (ALTER TABLE ... ADD PRIMARY KEY); row-based replication without one scans the whole table per row change and can diverge.",
    ),
  );
  checks.push(
    // Single Server requires a primary key on every table; Flexible Server only recommends one (DOMAIN.md).
    primaryKeys.status === "fail" && input.replicaKind === "flexible"
      ? {
          ...primaryKeys,
          status: "warn",
          message: `${primaryKeys.message} Flexible Server replicates tables without a primary key, but recommends one: each row change is then applied by scanning the table on the replica (slow, lag grows with the table).`,
        }
      : primaryKeys,
    filtered(
      offenderCheck(
        "INNODB_TABLES",
        await offenders(session, identity, NOT_INNODB, ignoreTables),
        "Every table outside the system schemas uses InnoDB.",
        "do not use InnoDB",
        "Convert each listed table with ALTER TABLE ... ENGINE=InnoDB; Azure Database for MySQL supports InnoDB only.",
      ),
    ),
  );
  if (ignoreTables.length > 0) checks.push(await splitForeignKeys(session, ignoreTables));
  const mixedCaseTables = await offenders(session, identity, MIXED_CASE);
  const invisibleKeyTables = hasGeneratedInvisibleKeys(identity)
    ? await offenders(session, identity, GENERATED_INVISIBLE_KEY)
    : null;

  let userRequiresTls: boolean | null = null;
  try {
    const users = await session.query("SELECT Host, plugin, ssl_type FROM mysql.user WHERE User = ?", [
      input.replicationUser,
    ]);
    userRequiresTls = users.some((row) => cellText(row.ssl_type) !== "");
    const sha2 = users.some((row) => cellText(row.plugin) === "caching_sha2_password");
    checks.push(
      sha2 && !input.caCertificate
        ? check(
            "AUTH_PLUGIN_TLS",
            "fail",
            `The replication user ${input.replicationUser} authenticates with caching_sha2_password, which needs a secure connection (errors 2061/3201 otherwise), and no CA certificate was supplied.`,
            authPluginRemedy(identity),
          )
        : check(
            "AUTH_PLUGIN_TLS",
            "pass",
            users.length === 0
              ? `No mysql.user row for ${input.replicationUser} is visible to the inspection account.`
              : `The replication user authenticates with ${[...new Set(users.map((row) => cellText(row.plugin)))].join(", ")}.`,
          ),
    );
  } catch (error) {
    checks.push(
      check(
        "AUTH_PLUGIN_TLS",
        "skipped",
        `The inspection account cannot read mysql.user (${errorText(error)}).`,
        "Grant the inspection account SELECT on mysql.user to have the authentication plugin checked.",
      ),
    );
  }

  const coordinates = await readBinaryLogs(session, identity);
  return {
    checks,
    mixedCaseTables,
    tablesWithoutPrimaryKey,
    invisibleKeyTables,
    userRequiresTls,
    ...coordinates,
  };
}

async function readBinaryLogs(
  session: MysqlSession,
  identity: ServerIdentity,
): Promise<{
  binaryLogs: Map<string, number> | null;
  currentCoordinates: BinlogCoordinates | null;
}> {
  try {
    const logs = await session.query("SHOW BINARY LOGS");
    const binaryLogs = new Map(logs.map((row) => [cellText(row.Log_name), Number(row.File_size)]));
    const [status] = await session.query(binaryLogStatusStatement(identity));
    const currentCoordinates =
      status && status.File ? { file: cellText(status.File), position: Number(status.Position) } : null;
    return { binaryLogs, currentCoordinates };
  } catch {
    return { binaryLogs: null, currentCoordinates: null };
  }
}

function coordinatesCheck(
  input: SourceValidationInput,
  binaryLogs: Map<string, number> | null,
  logBin: boolean,
): CheckResult {
  if (!input.binlog) {
    return check(
      "BINLOG_COORDINATES",
      "pass",
      "No coordinates given: the source's current coordinates are taken at link time. That is correct only when the replica already holds the source's data as of that moment (for example an empty source, or a dump restored while writes were stopped).",
    );
  }
  if (!logBin) return check("BINLOG_COORDINATES", "skipped", "Binary logging is off on the source.");
  if (!binaryLogs) {
    return check(
      "BINLOG_COORDINATES",
      "skipped",
      "Neither the inspection account nor the replication user may list the binary logs.",
      "Grant REPLICATION CLIENT (MySQL) or BINLOG MONITOR (MariaDB) to the inspection account to have the coordinates checked now rather than fail with error 13114 later.",
    );
  }
  const size = binaryLogs.get(input.binlog.file);
  if (size === undefined) {
    const available = [...binaryLogs.keys()];
    return check(
      "BINLOG_COORDINATES",
      "fail",
      `Binlog file ${input.binlog.file} does not exist on the source (available: ${available.slice(0, 10).join(", ") || "none"}${available.length > 10 ? ", ..." : ""}). Replication would stop with error 13114 (1236 on MySQL 5.7).`,
      "Take the coordinates from the dump that seeded the replica (mysqldump --master-data=2 / --source-data=2); if the file was purged, re-seed from a new dump.",
    );
  }
  if (input.binlog.position > size) {
    return check(
      "BINLOG_COORDINATES",
      "fail",
      `Position ${input.binlog.position} is past the end of ${input.binlog.file} (${size} bytes). Replication would stop with error 13114 (1236 on MySQL 5.7).`,
      "Take the coordinates from the dump that seeded the replica.",
    );
  }
  return check(
    "BINLOG_COORDINATES",
    "pass",
    `${input.binlog.file}:${input.binlog.position} exists on the source.`,
  );
}

export async function validateSource(input: SourceValidationInput): Promise<SourceValidation> {
  const checks: CheckResult[] = [];
  const facts: SourceFacts = {
    resolvedIpv4: null,
    reachable: false,
    identity: null,
    serverId: null,
    lowerCaseTableNames: null,
    gtidMode: null,
    gtid: {
      gtidMode: null,
      enforceGtidConsistency: null,
      gtidExecuted: null,
      gtidPurged: null,
    },
    currentCoordinates: null,
    mixedCaseTables: null,
    tablesWithoutPrimaryKey: null,
    invisiblePrimaryKeys: { generate: null, tables: null },
  };
  let roundTrips = 0;

  const dependent = [
    "REPLICATION_PRIVILEGE",
    "LOG_BIN",
    "BINLOG_FORMAT",
    "SERVER_ID",
    "GTID_MODE",
    "BINLOG_RETENTION",
  ] as const;
  const inspectionCodes = [
    "PRIMARY_KEYS",
    "INNODB_TABLES",
    ...(input.ignoreTables?.length ? ["TABLE_FILTER_FOREIGN_KEYS"] : []),
    "AUTH_PLUGIN_TLS",
  ];
  let address = await judgeSourceAddress(input.host, { allowPrivate: input.allowPrivateAddresses });
  if (address.verdict === "fail" && address.privateOnly && input.replicaVnetSubnet) {
    const vnetSubnet = await input.replicaVnetSubnet();
    if (vnetSubnet) {
      address = await judgeSourceAddress(input.host, { allowPrivate: false, vnetSubnet });
    }
  }
  if (address.verdict === "fail") {
    // Refused before any connection: no password goes to an address that failed the check.
    facts.resolvedIpv4 = address.resolvedIpv4;
    checks.push(check("SOURCE_ADDRESS", "fail", address.message, address.remedy));
    checks.push(
      ...skippedAll(
        [
          "SOURCE_REACHABLE",
          "SOURCE_TLS",
          "REPLICATION_USER_LOGIN",
          ...dependent,
          ...inspectionCodes,
          "BINLOG_COORDINATES",
        ],
        "The source's address was refused; no connection was made.",
      ),
    );
    checks.push(systemSchemaNote());
    return { checks: order(checks), facts, roundTrips };
  }
  facts.resolvedIpv4 = address.connectTo;
  checks.push(check("SOURCE_ADDRESS", address.verdict, address.message, address.remedy));

  const replicationEndpoint = endpointFor(
    input,
    address.connectTo,
    input.replicationUser,
    input.replicationPassword,
  );
  let replication = await connectAs(replicationEndpoint, "replication user");
  let tlsRequiredWithoutCa = false;
  if (
    !("session" in replication) &&
    replication.errorCheck.code === "REPLICATION_USER_LOGIN" &&
    !input.caCertificate
  ) {
    // MariaDB answers "access denied" to a plain connection when TLS is required (require_secure_transport or
    // REQUIRE SSL). Probe with TLS: if that logs in, the missing CA is the problem, and the other checks can still run.
    const probe = await connectAs(
      { ...replicationEndpoint, tls: { probeWithoutVerification: true } },
      "replication user",
    );
    if ("session" in probe) {
      replication = probe;
      tlsRequiredWithoutCa = true;
    }
  }

  if (!("session" in replication)) {
    checks.push(replication.errorCheck);
    if (replication.unreachable) {
      checks.push(...skippedAll(["SOURCE_TLS", "REPLICATION_USER_LOGIN"], "The source cannot be reached."));
    } else if (replication.errorCheck.code === "SOURCE_TLS") {
      facts.reachable = true;
      checks.push(...skippedAll(["REPLICATION_USER_LOGIN"], "No TLS session could be established."));
    } else {
      facts.reachable = true;
      checks.push(...skippedAll(["SOURCE_TLS"], "The replication user could not log in."));
    }
    checks.push(
      ...skippedAll(
        [...dependent, ...inspectionCodes, "BINLOG_COORDINATES"],
        "No session as the replication user.",
      ),
    );
    checks.push(systemSchemaNote());
    return { checks: order(checks), facts, roundTrips };
  }

  const session = replication.session;
  facts.reachable = true;
  checks.push(check("SOURCE_REACHABLE", "pass", `Connected to ${input.host}:${input.port}.`));
  checks.push(
    check(
      "REPLICATION_USER_LOGIN",
      "pass",
      `The replication user ${input.replicationUser} logs in${tlsRequiredWithoutCa ? ", but only over TLS" : ""}.`,
    ),
  );
  checks.push(replicationPasswordLengthCheck(input.replicationPassword));
  let inspectionFindings: InspectionFindings | null = null;
  let variables: Map<string, string>;
  try {
    variables = await readGlobalVariables(session, VARIABLES);
    const identity = parseServerIdentity(
      variables.get("version") ?? "",
      variables.get("version_comment") ?? "",
    );
    facts.identity = identity;
    checks.push(sourceFlavorCheck(identity));
    facts.serverId = Number(variables.get("server_id") ?? "0");
    facts.lowerCaseTableNames = Number(variables.get("lower_case_table_names") ?? "0");
    facts.gtidMode = variables.get("gtid_mode") ?? null;
    facts.gtid = {
      gtidMode: facts.gtidMode,
      enforceGtidConsistency: variables.get("enforce_gtid_consistency") ?? null,
      gtidExecuted: variables.get("gtid_executed") ?? null,
      gtidPurged: variables.get("gtid_purged") ?? null,
    };
    const logBin = isOn(variables.get("log_bin"));
    const generateInvisible = variables.get("sql_generate_invisible_primary_key");
    facts.invisiblePrimaryKeys.generate = generateInvisible === undefined ? null : isOn(generateInvisible);

    const grants = (await session.query("SHOW GRANTS")).map((row) => cellText(Object.values(row)[0]));
    checks.push(
      grantsAllowReplication(grants)
        ? check("REPLICATION_PRIVILEGE", "pass", `${input.replicationUser} holds REPLICATION SLAVE.`)
        : check(
            "REPLICATION_PRIVILEGE",
            "fail",
            `${input.replicationUser} lacks REPLICATION SLAVE on *.*.`,
            `GRANT REPLICATION SLAVE ON *.* TO '${input.replicationUser}'@'%';`,
          ),
    );

    checks.push(
      logBin
        ? check("LOG_BIN", "pass", "Binary logging is on.")
        : check(
            "LOG_BIN",
            "fail",
            "Binary logging is off on the source (log_bin = OFF).",
            "Set log_bin (and a server_id) in the source's configuration and restart it.",
          ),
    );
    const format = (variables.get("binlog_format") ?? "").toUpperCase();
    checks.push(
      format === "ROW"
        ? check("BINLOG_FORMAT", "pass", "binlog_format is ROW.")
        : check(
            "BINLOG_FORMAT",
            "warn",
            `binlog_format is ${format || "unknown"}; ROW is strongly recommended.`,
            "SET PERSIST binlog_format = 'ROW' (or set it in the configuration file); statement-based replication can diverge on non-deterministic statements.",
          ),
    );
    checks.push(
      facts.serverId === 0
        ? check(
            "SERVER_ID",
            "fail",
            "server_id is 0: the source refuses replicas (error 13114; 1236 on MySQL 5.7).",
            "Set server_id to a unique non-zero value and restart the source.",
          )
        : check("SERVER_ID", "pass", `server_id is ${facts.serverId}.`),
    );
    checks.push(gtidModeCheck(identity, input.linking, facts.gtid));
    const retention = retentionSeconds(variables);
    checks.push(
      retention === null
        ? check("BINLOG_RETENTION", "skipped", "The source reports no binlog retention setting.")
        : retention === 0 || retention >= RECOMMENDED_RETENTION_SECONDS
          ? check(
              "BINLOG_RETENTION",
              "pass",
              retention === 0
                ? "Binlogs are kept until purged by hand."
                : `Binlogs are kept ${Math.round(retention / 3600)} hours.`,
            )
          : check(
              "BINLOG_RETENTION",
              "warn",
              `Binlogs are kept only ${Math.round(retention / 3600)} hours: a replica that falls behind longer, or a slow initial load, ends in error 13114 (1236 on MySQL 5.7).`,
              "Raise binlog_expire_logs_seconds (MySQL 8) or expire_logs_days to at least 7 days.",
            ),
    );

    let inspectionSession: MysqlSession | null = null;
    if (input.inspection) {
      const inspection = await connectAs(
        endpointFor(input, address.connectTo, input.inspection.user, input.inspection.password),
        "inspection account",
      );
      if ("session" in inspection) inspectionSession = inspection.session;
      else {
        checks.push(inspection.errorCheck);
        checks.push(...skippedAll(inspectionCodes, "The inspection account could not connect."));
      }
    } else {
      checks.push(
        ...skippedAll(
          inspectionCodes,
          "No inspection account was given: this check reads schema metadata and is skipped. Add source.inspectionUser and source.inspectionPassword (a read-only account) to run it.",
        ),
      );
    }
    if (inspectionSession) {
      try {
        inspectionFindings = await inspectSchemas(inspectionSession, identity, input);
        checks.push(...inspectionFindings.checks);
        facts.mixedCaseTables = inspectionFindings.mixedCaseTables;
        facts.tablesWithoutPrimaryKey = inspectionFindings.tablesWithoutPrimaryKey;
        facts.invisiblePrimaryKeys.tables = inspectionFindings.invisibleKeyTables;
      } finally {
        roundTrips += inspectionSession.roundTrips;
        await inspectionSession.close();
      }
    }
    const logs =
      inspectionFindings?.binaryLogs !== undefined && inspectionFindings?.binaryLogs !== null
        ? {
            binaryLogs: inspectionFindings.binaryLogs,
            currentCoordinates: inspectionFindings.currentCoordinates,
          }
        : input.binlog || input.linking === "gtid"
          ? await readBinaryLogs(session, identity)
          : { binaryLogs: null, currentCoordinates: null };
    facts.currentCoordinates = logs.currentCoordinates;
    checks.push(coordinatesCheck(input, logs.binaryLogs, logBin));
    checks.push(
      tlsRequiredWithoutCa
        ? check(
            "SOURCE_TLS",
            "fail",
            `The source accepts ${input.replicationUser} only over TLS (require_secure_transport or REQUIRE SSL), and no CA certificate was supplied: replication would fail with 1045 or 2026.`,
            "Add source.caCertificate with the PEM of the CA that signed the source's certificate.",
          )
        : tlsCheck(input, variables, inspectionFindings?.userRequiresTls ?? null),
    );
  } finally {
    roundTrips += session.roundTrips;
    await session.close();
  }
  checks.push(systemSchemaNote());
  return { checks: order(checks), facts, roundTrips };
}

function tlsCheck(
  input: SourceValidationInput,
  variables: Map<string, string>,
  userRequiresTls: boolean | null,
): CheckResult {
  if (input.caCertificate) {
    return check("SOURCE_TLS", "pass", "TLS to the source verified against the supplied CA certificate.");
  }
  if (isOn(variables.get("require_secure_transport"))) {
    return check(
      "SOURCE_TLS",
      "fail",
      "The source requires TLS (require_secure_transport = ON) and no CA certificate was supplied.",
      "Add source.caCertificate with the PEM of the CA that signed the source's certificate.",
    );
  }
  if (userRequiresTls) {
    return check(
      "SOURCE_TLS",
      "fail",
      `The replication user ${input.replicationUser} is created with REQUIRE SSL/X509 and no CA certificate was supplied: replication would fail with 1045 or 2026.`,
      "Add source.caCertificate with the PEM of the CA that signed the source's certificate.",
    );
  }
  return check(
    "SOURCE_TLS",
    "warn",
    "No CA certificate was supplied: replication traffic, including data and credentials, will cross the network unencrypted.",
    "Enable TLS on the source and supply source.caCertificate.",
  );
}

function systemSchemaNote(): CheckResult {
  return check(
    "SYSTEM_SCHEMA_NOT_REPLICATED",
    "warn",
    "The mysql system schema (accounts, grants) is not replicated.",
    "Create the application's accounts and grants on the replica yourself.",
  );
}

const CHECK_ORDER = [
  "SOURCE_ADDRESS",
  "SOURCE_REACHABLE",
  "SOURCE_TLS",
  "REPLICATION_USER_LOGIN",
  "REPLICATION_PASSWORD_LENGTH",
  "SOURCE_FLAVOR",
  "REPLICATION_PRIVILEGE",
  "INSPECTION_USER_LOGIN",
  "AUTH_PLUGIN_TLS",
  "LOG_BIN",
  "BINLOG_FORMAT",
  "SERVER_ID",
  "GTID_MODE",
  "PRIMARY_KEYS",
  "INNODB_TABLES",
  "TABLE_FILTER_FOREIGN_KEYS",
  "BINLOG_COORDINATES",
  "BINLOG_RETENTION",
  "SYSTEM_SCHEMA_NOT_REPLICATED",
];

/**
 * MySQL keeps the replication password in at most 32 bytes: CHANGE REPLICATION SOURCE (run by Azure's
 * az_replication_change_master) refuses a longer one with error 3056, at link time, after the firewall changes. The
 * source itself accepts longer passwords, so the login above passes: checked here, before any change. Seen on 9.7.
 */
const REPLICATION_PASSWORD_MAX_BYTES = 32;

function replicationPasswordLengthCheck(password: string): CheckResult {
  const bytes = Buffer.byteLength(password, "utf8");
  return bytes > REPLICATION_PASSWORD_MAX_BYTES
    ? check(
        "REPLICATION_PASSWORD_LENGTH",
        "fail",
        `The replication password is ${bytes} bytes long; MySQL stores at most ${REPLICATION_PASSWORD_MAX_BYTES} bytes for a replication source (CHANGE REPLICATION SOURCE fails with error 3056).`,
        `Give the replication user a password of at most ${REPLICATION_PASSWORD_MAX_BYTES} bytes (ASCII characters are one byte each), store it in the secret, and POST again.`,
      )
    : check(
        "REPLICATION_PASSWORD_LENGTH",
        "pass",
        `The replication password fits MySQL's ${REPLICATION_PASSWORD_MAX_BYTES}-byte limit.`,
      );
}

/**
 * Azure Database for MySQL is Oracle MySQL. A MariaDB source is a common mistake: its binlog events, GTIDs
 * (domain-server-sequence) and replication protocol extensions are another design, and a MySQL replica cannot
 * follow it reliably. Refused before any change.
 */
function sourceFlavorCheck(identity: ServerIdentity): CheckResult {
  if (identity.flavor === "mariadb") {
    return check(
      "SOURCE_FLAVOR",
      "fail",
      `The source runs MariaDB ${identity.version}. Azure Database for MySQL runs Oracle MySQL, and data-in replication needs MySQL on both sides: MariaDB's binary log and GTIDs are not MySQL's.`,
      "Replicate from an Oracle MySQL (or Percona Server) source of the replica's version, or migrate the MariaDB data with a logical dump (mysqldump/mydumper) or Azure Database Migration Service instead of data-in replication.",
    );
  }
  return check("SOURCE_FLAVOR", "pass", `The source runs MySQL ${identity.version}.`);
}

function order(checks: CheckResult[]): CheckResult[] {
  const rank = (code: string) => {
    const index = CHECK_ORDER.indexOf(code);
    return index === -1 ? CHECK_ORDER.length : index;
  };
  return [...checks].sort((a, b) => rank(a.code) - rank(b.code));
}
