// GTID checks: does the source fit the linking method, and can the replica resume from the source by GTID (no errant, none purged).
import { type CheckResult, check } from "./checkResult";
import { type ServerIdentity } from "../mysql/mysqlSession";
import {
  GtidParseError,
  formatMariadbGtid,
  formatMysqlGtidSet,
  isEmptyMysqlGtidSet,
  mariadbAheadOf,
  mariadbNeedsPurged,
  mysqlGtidSubtract,
  parseMariadbGtidList,
  parseMysqlGtidSet,
} from "./gtidSets";

export type LinkingMethod = "binlogPosition" | "gtid";

/** What the source says about its GTIDs; every field null when the server does not have the variable. */
export interface SourceGtidFacts {
  gtidMode: string | null;
  enforceGtidConsistency: string | null;
  /** MySQL: @@GLOBAL.gtid_executed. */
  gtidExecuted: string | null;
  /** MySQL: @@GLOBAL.gtid_purged. */
  gtidPurged: string | null;
  /** MariaDB: @@GLOBAL.gtid_binlog_pos, the last GTID per domain in the source's binlog. */
  gtidBinlogPos: string | null;
  /** MariaDB: @@GLOBAL.gtid_strict_mode. */
  gtidStrictMode: string | null;
  /** MariaDB: the Gtid_list at the start of the oldest binlog, i.e. what is purged; null when it could not be read. */
  gtidPurgedUpTo: string | null;
}

/** What the replica says about its GTIDs. */
export interface ReplicaGtidFacts {
  serverId: number;
  /** MySQL: @@GLOBAL.gtid_mode and enforce_gtid_consistency, judged against the source's (GTID_MODE_COMPATIBLE). */
  gtidMode: string | null;
  enforceGtidConsistency: string | null;
  /** MySQL: @@GLOBAL.gtid_executed. */
  gtidExecuted: string | null;
  /** MariaDB: @@GLOBAL.gtid_current_pos (where a GTID link resumes, local writes included). */
  gtidCurrentPos: string | null;
  /** MariaDB: @@GLOBAL.gtid_slave_pos (what MASTER_USE_GTID=slave_pos asks the source for). */
  gtidSlavePos: string | null;
  /** MariaDB: @@GLOBAL.gtid_binlog_state, the last GTID per domain and originating server in the replica's binlog. */
  gtidBinlogState: string | null;
}

function isOn(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && ["ON", "1", "YES"].includes(value.toUpperCase());
}

export function gtidModeCheck(
  identity: ServerIdentity,
  linking: LinkingMethod,
  facts: Pick<SourceGtidFacts, "gtidMode" | "enforceGtidConsistency" | "gtidStrictMode">,
): CheckResult {
  if (identity.flavor === "mariadb") {
    if (linking === "binlogPosition") {
      return check("GTID_MODE", "pass", "MariaDB GTIDs do not prevent binlog file/position replication.");
    }
    return isOn(facts.gtidStrictMode)
      ? check("GTID_MODE", "pass", "MariaDB always writes GTIDs, and gtid_strict_mode is ON.")
      : check(
          "GTID_MODE",
          "warn",
          "MariaDB always writes GTIDs, so GTID linking is possible; gtid_strict_mode is OFF, so an out-of-order GTID is accepted instead of stopping replication.",
          "SET GLOBAL gtid_strict_mode = ON on the source (and in its configuration) to have GTID gaps and duplicates caught.",
        );
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
    return flavor === "mariadb" ? mariadbChecks(source, replica) : mysqlChecks(source, replica);
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

function mariadbChecks(source: SourceGtidFacts, replica: ReplicaGtidFacts): CheckResult[] {
  const sourcePos = parseMariadbGtidList(source.gtidBinlogPos ?? "");
  const replicaPos = parseMariadbGtidList(replica.gtidCurrentPos ?? "");
  const replicaBinlog = parseMariadbGtidList(replica.gtidBinlogState ?? "");
  // gtid_current_pos alone hides writes on the replica: in a domain it prefers gtid_slave_pos unless the binlog's GTID
  // carries the replica's own server_id with a higher seq_no. So the replica's binlog state is compared too, and any
  // GTID in it under the replica's own server_id is a local write (replicated events keep their origin's server_id).
  const local = replicaBinlog.filter((gtid) => gtid.serverId === replica.serverId);
  const ahead = mariadbAheadOf([...replicaPos, ...replicaBinlog], sourcePos);
  const errant = [...new Map([...local, ...ahead].map((gtid) => [formatMariadbGtid(gtid), gtid])).values()];
  const checks: CheckResult[] = [];
  checks.push(
    errant.length === 0
      ? check(
          "GTID_ERRANT_TRANSACTIONS",
          "pass",
          `The replica's GTID position (${replica.gtidCurrentPos || "empty"}) is within the source's (${source.gtidBinlogPos || "empty"}), and nothing was written on the replica itself.`,
        )
      : check(
          "GTID_ERRANT_TRANSACTIONS",
          "fail",
          `The replica has transactions the source does not have (errant transactions): ${shorten(errant.map(formatMariadbGtid).join(", "))} (replica server_id ${replica.serverId}; source gtid_binlog_pos ${source.gtidBinlogPos || "empty"}).`,
          "Something wrote on the replica (see its binlog for these GTIDs). Re-seed the replica from a new dump of the source (mysqldump --gtid), then set gtid_slave_pos from the dump.",
        ),
  );
  if (source.gtidPurgedUpTo === null) {
    checks.push(
      check(
        "GTID_PURGED_NEEDED",
        "skipped",
        "The source's oldest binlog could not be read (SHOW BINLOG EVENTS).",
        "Give an inspection account with BINLOG MONITOR to have purged GTIDs checked now rather than fail with error 13114 later.",
      ),
    );
  } else {
    const needed = mariadbNeedsPurged(replicaPos, parseMariadbGtidList(source.gtidPurgedUpTo));
    checks.push(
      needed.length === 0
        ? check("GTID_PURGED_NEEDED", "pass", "The source still has every binlog event the replica needs.")
        : check(
            "GTID_PURGED_NEEDED",
            "fail",
            `The replica (at ${replica.gtidCurrentPos || "empty"}) still needs events the source has purged: its oldest binlog starts after ${needed.map(formatMariadbGtid).join(", ")}. Replication would stop with error 13114 (1236 on MySQL 5.7).`,
            "Re-seed the replica from a new dump (mysqldump --gtid) and set gtid_slave_pos from it; raise binlog retention on the source.",
          ),
    );
  }
  if (replicaPos.length === 0 && sourcePos.length > 0) {
    checks.push(emptyReplicaPosition(source.gtidBinlogPos ?? ""));
  }
  return checks;
}

function emptyReplicaPosition(sourcePosition: string): CheckResult {
  return check(
    "GTID_REPLICA_POSITION",
    "warn",
    `The replica has no GTID position, so a GTID link replays the source's whole binlog history (the source is at ${shorten(sourcePosition)}).`,
    `If the replica was seeded from a dump, set its GTID position from that dump first (MySQL: gtid_purged via --set-gtid-purged=ON; MariaDB: SET GLOBAL gtid_slave_pos from mysqldump --gtid). ${RESET_GTID_ADVICE}`,
  );
}
