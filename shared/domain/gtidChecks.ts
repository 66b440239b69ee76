// GTID checks: does the source fit the linking method, and can the replica resume from the source by GTID (no errant, none purged).
import { type CheckResult, check } from "./checkResult";
import { type ServerIdentity } from "./serverIdentity";
import { type LinkingMethod } from "./linkingChoice";
import {
  GtidParseError,
  formatMysqlGtidSet,
  isEmptyMysqlGtidSet,
  mysqlGtidSubtract,
  parseMysqlGtidSet,
} from "./gtidSets";

export type { LinkingMethod } from "./linkingChoice";

/** What the source says about its GTIDs; every field null when the server does not have the variable. */
export interface SourceGtidFacts {
  gtidMode: string | null;
  enforceGtidConsistency: string | null;
  /** MySQL: @@GLOBAL.gtid_executed. */
  gtidExecuted: string | null;
  /** MySQL: @@GLOBAL.gtid_purged. */
  gtidPurged: string | null;
}

/** What the replica says about its GTIDs. */
export interface ReplicaGtidFacts {
  serverId: number;
  /** MySQL: @@GLOBAL.gtid_mode and enforce_gtid_consistency, judged against the source's (GTID_MODE_COMPATIBLE). */
  gtidMode: string | null;
  enforceGtidConsistency: string | null;
  /** MySQL: @@GLOBAL.gtid_executed. */
  gtidExecuted: string | null;
}

export function gtidModeCheck(
  identity: ServerIdentity,
  linking: LinkingMethod,
  facts: Pick<SourceGtidFacts, "gtidMode" | "enforceGtidConsistency">,
): CheckResult {
  // A MariaDB source is refused by SOURCE_FLAVOR: its GTIDs are another design, so nothing here applies.
  if (identity.flavor === "mariadb") {
    return check("GTID_MODE", "skipped", "The source runs MariaDB (see SOURCE_FLAVOR).");
  }
  const mode = (facts.gtidMode ?? "OFF").toUpperCase();
  const consistency = (facts.enforceGtidConsistency ?? "OFF").toUpperCase();
  if (linking === "gtid") {
    return mode === "ON" && consistency === "ON"
      ? check("GTID_MODE", "pass", "gtid_mode and enforce_gtid_consistency are ON.")
      : check(
          "GTID_MODE",
          "fail",
          `GTID linking needs gtid_mode=ON and enforce_gtid_consistency=ON (found ${mode} and ${consistency}).`,
          "Enable GTIDs on the source (enforce_gtid_consistency=ON, then gtid_mode stepwise OFF_PERMISSIVE, ON_PERMISSIVE, ON), or link by binlog file/position.",
        );
  }
  // Whether file/position linking fits depends on the replica's gtid_mode too: GTID_MODE_COMPATIBLE judges both.
  return check(
    "GTID_MODE",
    "pass",
    `gtid_mode is ${mode}: the source writes ${mode === "ON" || mode === "ON_PERMISSIVE" ? "GTID" : "anonymous"} transactions, which file/position linking can carry.`,
  );
}

const LIST_LIMIT = 300;

function shorten(text: string): string {
  return text.length > LIST_LIMIT ? `${text.slice(0, LIST_LIMIT)}...` : text;
}

/**
 * Can the replica resume from the source by GTID? Fails on errant transactions (executed on the replica, unknown to
 * the source: the source would never send them and the replica's data differs) and on transactions the replica still
 * needs but the source has purged (error 1236 right after start).
 */
/**
 * On Flexible Server the replica's GTID state is set through Resource Manager, not SET GLOBAL: the resetGtid action
 * (`az mysql flexible-server gtid reset --gtid-set <set>`), which invalidates the server's existing backups.
 */
const RESET_GTID_ADVICE =
  "On a Flexible Server replica, set its GTID state to the dump's (the dump's SET @@GLOBAL.gtid_purged value) with az mysql flexible-server gtid reset --gtid-set '<set>', or let this app do it by sending replica.resetGtid: {\"gtidSet\": \"<set>\"}; this invalidates the server's existing backups.";

export function gtidConsistencyCheck(
  flavor: ServerIdentity["flavor"],
  source: SourceGtidFacts,
  replica: ReplicaGtidFacts,
): CheckResult[] {
  try {
    if (flavor === "mariadb") {
      return ["GTID_ERRANT_TRANSACTIONS", "GTID_PURGED_NEEDED"].map((code) =>
        check(code, "skipped", "The source runs MariaDB (see SOURCE_FLAVOR)."),
      );
    }
    return mysqlChecks(source, replica);
  } catch (error) {
    if (!(error instanceof GtidParseError)) throw error;
    return [
      check(
        "GTID_ERRANT_TRANSACTIONS",
        "fail",
        `A GTID set could not be read: ${error.message}`,
        "Check the GTID variables on both servers.",
      ),
      check("GTID_PURGED_NEEDED", "skipped", "A GTID set could not be read."),
    ];
  }
}

function mysqlChecks(source: SourceGtidFacts, replica: ReplicaGtidFacts): CheckResult[] {
  const sourceExecuted = parseMysqlGtidSet(source.gtidExecuted ?? "");
  const sourcePurged = parseMysqlGtidSet(source.gtidPurged ?? "");
  const replicaExecuted = parseMysqlGtidSet(replica.gtidExecuted ?? "");
  const checks: CheckResult[] = [];
  const errant = mysqlGtidSubtract(replicaExecuted, sourceExecuted);
  checks.push(
    isEmptyMysqlGtidSet(errant)
      ? check(
          "GTID_ERRANT_TRANSACTIONS",
          "pass",
          "Every transaction executed on the replica is known to the source.",
        )
      : check(
          "GTID_ERRANT_TRANSACTIONS",
          "fail",
          `The replica has executed transactions the source does not have (errant transactions): ${shorten(formatMysqlGtidSet(errant))}.`,
          `Find what wrote them (SELECT GTID_SUBTRACT(@@GLOBAL.gtid_executed, '<source gtid_executed>') on the replica); if they are not wanted, re-seed the replica from a new dump of the source. Do not inject empty transactions on the source to hide them unless you know the data is identical. ${RESET_GTID_ADVICE}`,
        ),
  );
  const needed = mysqlGtidSubtract(sourcePurged, replicaExecuted);
  checks.push(
    isEmptyMysqlGtidSet(needed)
      ? check(
          "GTID_PURGED_NEEDED",
          "pass",
          isEmptyMysqlGtidSet(sourcePurged)
            ? "The source has purged no GTIDs."
            : "Every GTID the source has purged is already on the replica.",
        )
      : check(
          "GTID_PURGED_NEEDED",
          "fail",
          `The replica still needs transactions the source has purged from its binlogs: ${shorten(formatMysqlGtidSet(needed))}. Replication would stop with error 13114 (1236 on MySQL 5.7).`,
          `Re-seed the replica from a new dump taken with --set-gtid-purged=ON (its gtid_purged then covers these), and raise binlog retention on the source. ${RESET_GTID_ADVICE}`,
        ),
  );
  if (isEmptyMysqlGtidSet(replicaExecuted) && !isEmptyMysqlGtidSet(sourceExecuted)) {
    checks.push(emptyReplicaPosition(formatMysqlGtidSet(sourceExecuted)));
  }
  return checks;
}

function emptyReplicaPosition(sourcePosition: string): CheckResult {
  return check(
    "GTID_REPLICA_POSITION",
    "warn",
    `The replica has no GTID position, so a GTID link replays the source's whole binlog history (the source is at ${shorten(sourcePosition)}).`,
    `If the replica was seeded from a dump, set its GTID position from that dump first (its gtid_purged, from a dump taken with --set-gtid-purged=ON). ${RESET_GTID_ADVICE}`,
  );
}
