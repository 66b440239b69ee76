// Checks that need both servers' facts: version and flavor, server ids, lower_case_table_names, an existing link, GTIDs, the source's firewall.
import { judgeGtidModes } from "../source/gtidModeCompatibility";
import { type CheckResult, check } from "../source/checkResult";
import { type SourceFacts } from "../source/sourceValidation";
import { type LinkingMethod, gtidConsistencyCheck, gtidModeCheck } from "../source/gtidChecks";
import { type ReplicaInspection } from "./activities/inspectReplicaActivity";
import { type SourceSpec } from "./provisionTypes";
import { isSameLink } from "./activities/linkReplicaActivity";

export interface LinkPlan {
  linking: LinkingMethod;
  /** The replica's outbound address the DBA supplied (Flexible Server), if any. */
  outboundAddress?: string | undefined;
}

/** What to tell the DBA about the source's firewall when the replica connects out to it (Flexible Server). */
export function sourceFirewallInstruction(fqdn: string | null, outboundAddress: string | undefined): string {
  return outboundAddress
    ? `The source's firewall must admit ${outboundAddress} (the replica's outbound address) on the source's port.`
    : `The source's firewall must admit the replica's outbound address on the source's port. Resource Manager does not report it: for a public-access Flexible Server it is the address its name resolves to (nslookup ${fqdn ?? "<server>.mysql.database.azure.com"}); it can change after a failover or a scale operation. Give it as replica.outboundAddress to have it named in reports and diagnoses.`;
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
  replica: ReplicaInspection,
  sourceSpec: SourceSpec,
  plan: LinkPlan = { linking: "binlogPosition" },
): CheckResult[] {
  const checks: CheckResult[] = [];
  const skippedReason = !source.identity
    ? "The source's facts are unknown."
    : "The replica's facts are unknown.";
  if (!source.identity || !replica.server) {
    checks.push(check("VERSION_MATCH", "skipped", skippedReason));
  } else {
    const sourceVersion = source.identity.majorMinor;
    const replicaVersion = majorMinor(replica.server.version);
    const replicaFlavor = replica.sql?.identity.flavor;
    if (replicaFlavor && replicaFlavor !== source.identity.flavor) {
      checks.push(
        check(
          "VERSION_MATCH",
          "fail",
          `The source runs ${source.identity.flavor === "mariadb" ? "MariaDB" : "MySQL"} ${source.identity.version} but the replica runs ${replicaFlavor === "mariadb" ? "MariaDB" : "MySQL"}.`,
          "Data-in replication needs the same server flavor on both sides.",
        ),
      );
    } else if (sourceVersion !== replicaVersion) {
      checks.push(
        check(
          "VERSION_MATCH",
          "fail",
          `The source is version ${sourceVersion} (${source.identity.version}) but the replica is ${replicaVersion}.`,
          "Source and replica must have the same major.minor version: pick a replica of the source's version, or upgrade the source first.",
        ),
      );
    } else {
      checks.push(check("VERSION_MATCH", "pass", `Both servers run ${sourceVersion}.`));
    }
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
        : isSameLink(status, sourceSpec)
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
  if (plan.linking === "gtid") checks.push(...gtidChecks(source, replica));
  if (replica.firewallDirection === "sourceAdmitsReplica") {
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

function gtidChecks(source: SourceFacts, replica: ReplicaInspection): CheckResult[] {
  const codes = ["GTID_ERRANT_TRANSACTIONS", "GTID_PURGED_NEEDED"];
  if (!replica.supportsGtidLinking) {
    return [
      check(
        "GTID_LINKING_SUPPORTED",
        "fail",
        "This replica kind does not support GTID linking.",
        "Link by binlog file/position, or use a Flexible Server replica.",
      ),
    ];
  }
  if (!source.identity || !replica.sql) {
    return codes.map((code) => check(code, "skipped", "The GTID state of both servers is needed."));
  }
  if (source.identity.flavor !== replica.sql.identity.flavor) {
    return codes.map((code) => check(code, "skipped", "Source and replica run different server flavors."));
  }
  return gtidConsistencyCheck(source.identity.flavor, source.gtid, replica.sql.gtid);
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
