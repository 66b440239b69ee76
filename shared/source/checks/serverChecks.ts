// Checks of the source server's settings: flavor, binary logging and its retention, server_id, GTIDs, the given coordinates.
import { check } from "../../domain/checkResult";
import { type ConnectedFacts } from "../gatheredFacts";
import { gtidModeCheck } from "../../domain/gtidChecks";
import { isOn } from "../isOn";
import { sourceCheck } from "../sourceCheck";

const RECOMMENDED_RETENTION_SECONDS = 7 * 24 * 3600;

/** Binlog retention in seconds; 0 when kept until purged by hand, null when the server has no such setting. */
function retentionSeconds(variables: ConnectedFacts["variables"]): number | null {
  const seconds = Number(variables.get("binlog_expire_logs_seconds") ?? "");
  const days = Number(variables.get("expire_logs_days") ?? "");
  if (Number.isFinite(seconds) && seconds > 0) return seconds;
  if (Number.isFinite(days) && days > 0) return Math.round(days * 86400);
  if (variables.has("binlog_expire_logs_seconds") || variables.has("expire_logs_days")) return 0;
  return null;
}

/**
 * Azure Database for MySQL is Oracle MySQL. A MariaDB source is a common mistake: its binlog events, GTIDs
 * (domain-server-sequence) and replication protocol extensions are another design, and a MySQL replica cannot
 * follow it reliably. Refused before any change.
 */
const sourceFlavor = sourceCheck({
  code: "SOURCE_FLAVOR",
  needs: "session",
  whenUnmet: "omit",
  rule: ({ identity }) =>
    identity.flavor === "mariadb"
      ? check(
          "SOURCE_FLAVOR",
          "fail",
          `The source runs MariaDB ${identity.version}. Azure Database for MySQL runs Oracle MySQL, and data-in replication needs MySQL on both sides: MariaDB's binary log and GTIDs are not MySQL's.`,
          "Replicate from an Oracle MySQL (or Percona Server) source of the replica's version, or migrate the MariaDB data with a logical dump (mysqldump/mydumper) or Azure Database Migration Service instead of data-in replication.",
        )
      : check("SOURCE_FLAVOR", "pass", `The source runs MySQL ${identity.version}.`),
});

const logBin = sourceCheck({
  code: "LOG_BIN",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ variables }) =>
    isOn(variables.get("log_bin"))
      ? check("LOG_BIN", "pass", "Binary logging is on.")
      : check(
          "LOG_BIN",
          "fail",
          "Binary logging is off on the source (log_bin = OFF).",
          "Set log_bin (and a server_id) in the source's configuration and restart it.",
        ),
});

const binlogFormat = sourceCheck({
  code: "BINLOG_FORMAT",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ variables }) => {
    const format = (variables.get("binlog_format") ?? "").toUpperCase();
    return format === "ROW"
      ? check("BINLOG_FORMAT", "pass", "binlog_format is ROW.")
      : check(
          "BINLOG_FORMAT",
          "warn",
          `binlog_format is ${format || "unknown"}; ROW is strongly recommended.`,
          "SET PERSIST binlog_format = 'ROW' (or set it in the configuration file); statement-based replication can diverge on non-deterministic statements.",
        );
  },
});

const serverId = sourceCheck({
  code: "SERVER_ID",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ variables }) => {
    const id = Number(variables.get("server_id") ?? "0");
    return id === 0
      ? check(
          "SERVER_ID",
          "fail",
          "server_id is 0: the source refuses replicas (error 13114; 1236 on MySQL 5.7).",
          "Set server_id to a unique non-zero value and restart the source.",
        )
      : check("SERVER_ID", "pass", `server_id is ${id}.`);
  },
});

const gtidMode = sourceCheck({
  code: "GTID_MODE",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ identity, variables }, { linking }) =>
    gtidModeCheck(identity, linking, {
      gtidMode: variables.get("gtid_mode") ?? null,
      enforceGtidConsistency: variables.get("enforce_gtid_consistency") ?? null,
    }),
});

const binlogRetention = sourceCheck({
  code: "BINLOG_RETENTION",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ variables }) => {
    const retention = retentionSeconds(variables);
    if (retention === null) {
      return check("BINLOG_RETENTION", "skipped", "The source reports no binlog retention setting.");
    }
    if (retention === 0) return check("BINLOG_RETENTION", "pass", "Binlogs are kept until purged by hand.");
    const hours = Math.round(retention / 3600);
    return retention >= RECOMMENDED_RETENTION_SECONDS
      ? check("BINLOG_RETENTION", "pass", `Binlogs are kept ${hours} hours.`)
      : check(
          "BINLOG_RETENTION",
          "warn",
          `Binlogs are kept only ${hours} hours: a replica that falls behind longer, or a slow initial load, ends in error 13114 (1236 on MySQL 5.7).`,
          "Raise binlog_expire_logs_seconds (MySQL 8) or expire_logs_days to at least 7 days.",
        );
  },
});

const binlogCoordinates = sourceCheck({
  code: "BINLOG_COORDINATES",
  needs: "session",
  whenUnmet: "skip",
  rule: ({ variables, binaryLogs }, { binlog }) => {
    if (!binlog) {
      return check(
        "BINLOG_COORDINATES",
        "pass",
        "No coordinates given: the source's current coordinates are taken at link time. That is correct only when the replica already holds the source's data as of that moment (for example an empty source, or a dump restored while writes were stopped).",
      );
    }
    if (!isOn(variables.get("log_bin"))) {
      return check("BINLOG_COORDINATES", "skipped", "Binary logging is off on the source.");
    }
    if (!binaryLogs) {
      return check(
        "BINLOG_COORDINATES",
        "skipped",
        "Neither the inspection account nor the replication user may list the binary logs.",
        "Grant REPLICATION CLIENT (MySQL) or BINLOG MONITOR (MariaDB) to the inspection account to have the coordinates checked now rather than fail with error 13114 later.",
      );
    }
    const size = binaryLogs.get(binlog.file);
    if (size === undefined) {
      const available = [...binaryLogs.keys()];
      return check(
        "BINLOG_COORDINATES",
        "fail",
        `Binlog file ${binlog.file} does not exist on the source (available: ${available.slice(0, 10).join(", ") || "none"}${available.length > 10 ? ", ..." : ""}). Replication would stop with error 13114 (1236 on MySQL 5.7).`,
        "Take the coordinates from the dump that seeded the replica (mysqldump --master-data=2 / --source-data=2); if the file was purged, re-seed from a new dump.",
      );
    }
    if (binlog.position > size) {
      return check(
        "BINLOG_COORDINATES",
        "fail",
        `Position ${binlog.position} is past the end of ${binlog.file} (${size} bytes). Replication would stop with error 13114 (1236 on MySQL 5.7).`,
        "Take the coordinates from the dump that seeded the replica.",
      );
    }
    return check("BINLOG_COORDINATES", "pass", `${binlog.file}:${binlog.position} exists on the source.`);
  },
});

/** Always said, whatever else was found: accounts and grants are the replica owner's job. */
const systemSchemaNotReplicated = sourceCheck({
  code: "SYSTEM_SCHEMA_NOT_REPLICATED",
  needs: "nothing",
  whenUnmet: "skip",
  rule: () =>
    check(
      "SYSTEM_SCHEMA_NOT_REPLICATED",
      "warn",
      "The mysql system schema (accounts, grants) is not replicated.",
      "Create the application's accounts and grants on the replica yourself.",
    ),
});

export const serverChecks = {
  sourceFlavor,
  logBin,
  binlogFormat,
  serverId,
  gtidMode,
  binlogRetention,
  binlogCoordinates,
  systemSchemaNotReplicated,
};
