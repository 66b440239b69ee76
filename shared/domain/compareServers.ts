// Checks that need both servers' facts: version and flavor, server ids, lower_case_table_names, an existing link, GTIDs, the source's firewall.
import { judgeGtidModes } from "./gtidModeCompatibility";
import { type CheckResult, check } from "./checkResult";
import { type SourceFacts } from "./sourceFacts";
import { type LinkingMethod, gtidConsistencyCheck, gtidModeCheck } from "./gtidChecks";
import { type ReplicaFacts } from "./replicaFacts";
import { isSameLink, linkSourceOf } from "./linkIdentity";
import { singleServerSourceFirewallInstruction, sourceFirewallInstruction } from "./firewall";

export interface LinkPlan {
  linking: LinkingMethod;
  /** The replica's outbound address the DBA supplied (Flexible Server), if any. */
  outboundAddress?: string | undefined;
  /** The GTID set the request asks the replica's GTID state to be reset to before linking (resetGtid). */
  resetGtidTo?: string | undefined;
}

/**
 * The checks that depend on the linking method, once it is known: GTID_MODE from the validation is replaced by the
 * one for the chosen method, and GTID linking adds the consistency checks between the servers.
 */
export function withLinkingChecks(
  sourceChecks: CheckResult[],
  source: SourceFacts,
  linking: LinkingMethod,
): CheckResult[] {
  const identity = source.identity;
  if (!identity) return sourceChecks;
  return sourceChecks.map((item) =>
    item.code === "GTID_MODE" ? gtidModeCheck(identity, linking, source.gtid) : item,
  );
}

function majorMinor(version: string): string {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? `${match[1]}.${match[2]}` : version;
}

export function compareServers(
  source: SourceFacts,
  replica: ReplicaFacts,
  sourceSpec: { host: string; port: number; replicationUser: string },
  plan: LinkPlan = { linking: "binlogPosition" },
): CheckResult[] {
  const checks: CheckResult[] = [];
  const skippedReason = !source.identity
    ? "The source's facts are unknown."
    : "The replica's facts are unknown.";
  if (!source.identity || !replica.server) {
    checks.push(check("VERSION_MATCH", "skipped", skippedReason));
  } else {
    checks.push(versionCheck(source, replica));
  }
  if (source.serverId === null || !replica.sql) {
    checks.push(check("SERVER_ID_DISTINCT", "skipped", skippedReason));
    checks.push(check("LOWER_CASE_TABLE_NAMES", "skipped", skippedReason));
  } else {
    checks.push(
      source.serverId !== 0 && source.serverId === replica.sql.serverId
        ? check(
            "SERVER_ID_DISTINCT",
            "fail",
            `The source's server_id (${source.serverId}) equals the replica's.`,
            "Give the source a different server_id and restart it.",
          )
        : check("SERVER_ID_DISTINCT", "pass", "Source and replica have different server ids."),
    );
    checks.push(lowerCaseCheck(source, replica.sql.lowerCaseTableNames));
  }
  if (replica.sql) {
    const status = replica.sql.status;
    checks.push(
      !status.configured
        ? check("REPLICA_LINK", "pass", "The replica has no replication link yet.")
        : isSameLink(status, linkSourceOf(sourceSpec))
          ? check("REPLICA_LINK", "pass", "The replica is already linked to this source; the link is reused.")
          : check(
              "REPLICA_LINK",
              "fail",
              `The replica already replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}.`,
              "Delete that link first (DELETE /api/replications/{id}, or CALL mysql.az_replication_remove_master), then provision again.",
            ),
    );
  } else {
    checks.push(check("REPLICA_LINK", "skipped", "The replica's replication state could not be read."));
  }
  checks.push(
    source.gtid && replica.sql
      ? judgeGtidModes(source.gtid, replica.sql.gtid, plan.linking)
      : check("GTID_MODE_COMPATIBLE", "skipped", skippedReason),
  );
  if (plan.resetGtidTo !== undefined) checks.push(gtidResetCheck(replica, plan.resetGtidTo, plan.linking));
  if (plan.linking === "gtid") {
    // After a reset the replica resumes from the given set, not from what it has now: judge that one.
    const judged =
      plan.resetGtidTo !== undefined && replica.sql
        ? {
            ...replica,
            sql: { ...replica.sql, gtid: { ...replica.sql.gtid, gtidExecuted: plan.resetGtidTo } },
          }
        : replica;
    checks.push(...gtidChecks(source, judged));
  }
  if (source.identity?.flavor === "mysql" && replica.sql)
    checks.push(invisiblePrimaryKeysCheck(source, replica));
  if (replica.server?.kind === "single") {
    // Both firewalls: the replica's admits the source (this app's rule), and the source's must admit the replica.
    checks.push(
      check(
        "SOURCE_FIREWALL_ADMITS_REPLICA",
        "warn",
        `The replica connects out to ${sourceSpec.host}:${sourceSpec.port}; this app opens the replica's firewall to the source, but cannot see or change the source's own firewall.`,
        singleServerSourceFirewallInstruction(replica.sql?.redirectServerHost ?? null),
      ),
    );
  } else if (replica.firewallDirection === "sourceAdmitsReplica") {
    // Cannot be verified before the replica connects: a refusal shows as IO error 2003 after start, diagnosed then.
    checks.push(
      check(
        "SOURCE_FIREWALL_ADMITS_REPLICA",
        "warn",
        `The replica connects out to ${sourceSpec.host}:${sourceSpec.port}; this app cannot see or change the source's firewall.`,
        sourceFirewallInstruction(replica.server?.fqdn ?? null, plan.outboundAddress),
      ),
    );
  }
  return checks;
}

/**
 * The replica's version is the server's own (@@version, read in the inspection); Resource Manager's field only when the
 * server could not be read (it can say "8.0.21" for a server on 8.0.40). Single Server needs the same major.minor;
 * Flexible Server recommends it and allows a 5.7 source with an 8.0 replica.
 */
function versionCheck(source: SourceFacts, replica: ReplicaFacts): CheckResult {
  const identity = source.identity!;
  const server = replica.server!;
  const sourceVersion = identity.majorMinor;
  const fromServer = replica.sql?.identity;
  const replicaVersion = fromServer?.majorMinor ?? majorMinor(server.version);
  const replicaShown = fromServer
    ? `${replicaVersion} (${fromServer.version})`
    : `${replicaVersion} (as Resource Manager reports it; the server itself could not be read)`;
  if (fromServer && fromServer.flavor !== identity.flavor) {
    return check(
      "VERSION_MATCH",
      "fail",
      `The source runs ${identity.flavor === "mariadb" ? "MariaDB" : "MySQL"} ${identity.version} but the replica runs ${fromServer.flavor === "mariadb" ? "MariaDB" : "MySQL"}.`,
      "Data-in replication needs the same server flavor on both sides.",
    );
  }
  if (sourceVersion === replicaVersion) {
    return check("VERSION_MATCH", "pass", `Both servers run ${sourceVersion} (the replica ${replicaShown}).`);
  }
  if (server.kind === "flexible" && sourceVersion === "5.7" && replicaVersion === "8.0") {
    return check(
      "VERSION_MATCH",
      "warn",
      `The source is version 5.7 (${identity.version}) and the replica ${replicaShown}: Flexible Server allows replicating from 5.7 to 8.0, but recommends the same version. What can break: statements and DDL that 8.0 refuses (GRANT that creates a user, removed SQL modes such as NO_AUTO_CREATE_USER, identifiers that became reserved words such as RANK, GROUPS, WINDOW), the default character set and collation (utf8mb4, utf8mb4_0900_ai_ci) for tables created without one, and the default authentication plugin (caching_sha2_password) for accounts created through replication.`,
      "Run MySQL Shell's upgrade checker (util.checkForServerUpgrade()) against the source, fix what it reports, and test the application's statements against 8.0 before linking; or use a 5.7 replica.",
    );
  }
  return check(
    "VERSION_MATCH",
    "fail",
    `The source is version ${sourceVersion} (${identity.version}) but the replica is ${replicaShown}.`,
    server.kind === "flexible"
      ? "Use a replica of the source's major.minor version (Flexible Server also allows a 5.7 source with an 8.0 replica), or upgrade the source first."
      : "Source and replica must have the same major.minor version on Single Server: pick a replica of the source's version, or upgrade the source first.",
  );
}

/**
 * Generated invisible primary keys (MySQL 8.0.30+; ON by default on Flexible Server 8.0+). Azure's data-in replication
 * docs (concepts-data-in-replication, "generated invisible primary key") name the risks: a table created on the
 * source without a primary key gets my_row_id on the replica only, and the source's later DDL adding a primary key or
 * an AUTO_INCREMENT column then stops replication (1068, 1075, 4109); and a source that generates them must seed the
 * replica with its keys.
 */
function invisiblePrimaryKeysCheck(source: SourceFacts, replica: ReplicaFacts): CheckResult {
  const replicaGenerates = replica.sql?.generateInvisiblePrimaryKey ?? null;
  const sourceGenerates = source.invisiblePrimaryKeys.generate;
  const sourceTables = source.invisiblePrimaryKeys.tables;
  const keyless = source.tablesWithoutPrimaryKey;
  const warnings: string[] = [];
  const remedies: string[] = [];
  if (replicaGenerates && (keyless === null || keyless.total > 0 || sourceGenerates === false)) {
    const which =
      keyless && keyless.total > 0
        ? `${keyless.total} source table(s) have no primary key (${describeNames(keyless)})`
        : keyless === null
          ? "whether source tables lack a primary key is unknown (no inspection account)"
          : "tables created later on the source without a primary key";
    warnings.push(
      `The replica generates invisible primary keys (sql_generate_invisible_primary_key ON) and ${which}: such tables get my_row_id on the replica only, and a later ALTER on the source that adds a primary key or an AUTO_INCREMENT column stops replication with error 1068, 1075 or 4109.`,
    );
    remedies.push(
      "Set the replica's server parameter sql_generate_invisible_primary_key to OFF before restoring the dump and linking (az mysql flexible-server parameter set --name sql_generate_invisible_primary_key --value OFF), or give those tables primary keys on the source.",
    );
  }
  if (sourceGenerates || (sourceTables && sourceTables.total > 0)) {
    const tables =
      sourceTables && sourceTables.total > 0
        ? `${sourceTables.total} source table(s) have a generated invisible primary key (${describeNames(sourceTables)})`
        : "the source generates invisible primary keys (sql_generate_invisible_primary_key ON) for tables created without one";
    warnings.push(
      `${tables}: the replica's copies must have the same my_row_id column and values, or row events no longer match them.`,
    );
    remedies.push(
      "Seed the replica with a dump that keeps the generated keys (mysqldump and mysqlpump keep them by default; do not use --skip-generated-invisible-primary-key), or give the tables explicit primary keys on the source.",
    );
  }
  if (warnings.length === 0) {
    return check(
      "INVISIBLE_PRIMARY_KEYS",
      "pass",
      replicaGenerates === null && sourceGenerates === null
        ? "Neither server reports generated invisible primary keys."
        : "No generated invisible primary key differs between the servers.",
    );
  }
  return check("INVISIBLE_PRIMARY_KEYS", "warn", warnings.join(" "), remedies.join(" "));
}

/**
 * The request's resetGtid: Azure's preconditions (a Flexible Server, gtid_mode ON, no replication running), and what
 * it costs (the server's existing backups are invalidated), said before anything runs.
 */
function gtidResetCheck(replica: ReplicaFacts, gtidSet: string, linking: LinkingMethod): CheckResult {
  const fail = (message: string, remedy: string) => check("GTID_RESET", "fail", message, remedy);
  if (replica.server?.kind !== "flexible")
    return fail("resetGtid exists for Flexible Server only.", "Leave replica.resetGtid out.");
  if (linking !== "gtid")
    return fail(
      "resetGtid was asked for, but the replica is linked by binlog file/position.",
      'Send linking: "gtid", or leave replica.resetGtid out.',
    );
  if (!replica.sql)
    return check("GTID_RESET", "skipped", "The replica's GTID mode and replication state could not be read.");
  const mode = replica.sql.gtid.gtidMode ?? "unknown";
  if (mode.toUpperCase() !== "ON")
    return fail(
      `The replica's gtid_mode is ${mode}; resetGtid needs ON.`,
      "Raise the replica's gtid_mode server parameter to ON one step at a time (OFF_PERMISSIVE, ON_PERMISSIVE, ON), then try again.",
    );
  const status = replica.sql.status;
  if (status.configured && (status.ioRunning !== "No" || status.sqlRunning !== "No"))
    return fail(
      "Replication runs on the replica; resetGtid is refused while it runs.",
      "Stop and remove the existing link first (DELETE /api/replications/{id}, or CALL mysql.az_replication_remove_master).",
    );
  return check(
    "GTID_RESET",
    "warn",
    `Before linking, the replica's GTID state (now ${replica.sql.gtid.gtidExecuted || "empty"}) will be reset to ${gtidSet} through Resource Manager (resetGtid). This invalidates the server's existing backups.`,
    "Take the set from the dump that seeded the replica (its SET @@GLOBAL.gtid_purged); plan a new backup baseline after the reset (Azure takes the next automated backup from then on).",
  );
}

function describeNames(found: { names: string[]; total: number }): string {
  const more = found.total > found.names.length ? ` and ${found.total - found.names.length} more` : "";
  return `${found.names.join(", ")}${more}`;
}

function gtidChecks(source: SourceFacts, replica: ReplicaFacts): CheckResult[] {
  const codes = ["GTID_ERRANT_TRANSACTIONS", "GTID_PURGED_NEEDED"];
  const linkingSupported = gtidLinkingCheck(replica);
  if (linkingSupported.status === "fail") return [linkingSupported];
  if (!source.identity || !replica.sql) {
    return codes.map((code) => check(code, "skipped", "The GTID state of both servers is needed."));
  }
  if (source.identity.flavor !== replica.sql.identity.flavor) {
    return codes.map((code) => check(code, "skipped", "Source and replica run different server flavors."));
  }
  return [linkingSupported, ...gtidConsistencyCheck(source.identity.flavor, source.gtid, replica.sql.gtid)];
}

/**
 * Whether the replica can take a GTID link is decided by its real gtid_mode, not its kind: Single Server supports GTID
 * linking too (5.7/8.0, storage v2) once its gtid_mode is ON, and a Flexible Server with gtid_mode OFF cannot.
 */
function gtidLinkingCheck(replica: ReplicaFacts): CheckResult {
  const mode = replica.sql?.gtid.gtidMode ?? null;
  if (mode === null) {
    return check(
      "GTID_LINKING_SUPPORTED",
      "skipped",
      "The replica's gtid_mode could not be read (no admin session).",
    );
  }
  if (mode.toUpperCase() === "ON") {
    return check(
      "GTID_LINKING_SUPPORTED",
      "pass",
      "The replica's gtid_mode is ON: it can be linked by GTID.",
    );
  }
  const parameterPath =
    "Raise the replica's gtid_mode server parameter to ON one step at a time (set enforce_gtid_consistency ON first; then OFF_PERMISSIVE, ON_PERMISSIVE, ON); it cannot be lowered again.";
  return check(
    "GTID_LINKING_SUPPORTED",
    "fail",
    `The replica's gtid_mode is ${mode}; GTID linking (az_replication_change_master_with_gtid) needs ON.`,
    replica.server?.kind === "single"
      ? `${parameterPath} Single Server supports GTIDs on 5.7 and 8.0 with general-purpose storage v2 (up to 16 TB). Or link by binlog file/position.`
      : `${parameterPath} Or link by binlog file/position.`,
  );
}

/**
 * Differing lower_case_table_names only breaks replication for names with upper-case letters: the replica
 * folds them, so mixed-case names collide or go missing. All-lower-case names replicate fine.
 */
function lowerCaseCheck(source: SourceFacts, replicaValue: number): CheckResult {
  const sourceValue = source.lowerCaseTableNames ?? 0;
  if (sourceValue === replicaValue) {
    return check(
      "LOWER_CASE_TABLE_NAMES",
      "pass",
      `lower_case_table_names is ${sourceValue} on both servers.`,
    );
  }
  const differs = `lower_case_table_names is ${sourceValue} on the source but ${replicaValue} on the replica`;
  const remedy =
    "Rename every schema and table to lower case before linking (Azure uses lower_case_table_names=1), or set the source to 1 (MySQL 8: only at initialisation).";
  const mixed = source.mixedCaseTables;
  if (!mixed) {
    return check(
      "LOWER_CASE_TABLE_NAMES",
      "warn",
      `${differs}; without an inspection account the table names could not be checked for upper-case letters.`,
      remedy,
    );
  }
  if (mixed.total === 0) {
    return check(
      "LOWER_CASE_TABLE_NAMES",
      "warn",
      `${differs}; every schema and table name is lower case, so this is safe today.`,
      remedy,
    );
  }
  const more = mixed.total > mixed.names.length ? ` and ${mixed.total - mixed.names.length} more` : "";
  return check(
    "LOWER_CASE_TABLE_NAMES",
    "fail",
    `${differs}; ${mixed.total} table(s) have upper-case letters and would collide or go missing on the replica: ${mixed.names.join(", ")}${more}.`,
    remedy,
  );
}
