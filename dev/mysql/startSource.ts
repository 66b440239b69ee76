// Starts a throwaway replication SOURCE (the customer's external MySQL server) with the binlog/TLS/GTID settings a test asks for.
import { type TestCa } from "../tls/testCa";
import { MysqlServer } from "./mysqlServer";
import { detectServerBinary, type ServerBinary } from "./serverBinary";
import { allocateServerId } from "./serverIds";
import { serverTlsFor } from "./serverTls";

type BinlogFormat = "ROW" | "STATEMENT" | "MIXED";
export type GtidMode = "OFF" | "OFF_PERMISSIVE" | "ON_PERMISSIVE" | "ON";

export interface SourceOptions {
  /** Default true. */
  logBin?: boolean;
  /** Default "ROW". */
  binlogFormat?: BinlogFormat;
  /** Default: a fresh non-zero id. 0 (a misconfigured source, replicas get error 1236) works on Oracle MySQL only: MariaDB clamps it to 1, so it is refused there. */
  serverId?: number;
  /** undefined: the run's CA (`npm test` sets DEV_CA_DIR); null: no TLS; or a CA of your own. */
  ca?: TestCa | null;
  /** Default false. */
  requireSecureTransport?: boolean;
  /** Default 0 (the Linux default; Azure uses 1). */
  lowerCaseTableNames?: 0 | 1 | 2;
  /** Binlog retention. MariaDB 10.6+ and MySQL 8 know binlog_expire_logs_seconds. */
  binlogExpireLogsSeconds?: number;
  expireLogsDays?: number;
  /** Also write replicated events to this server's binlog (log_replica_updates). */
  logReplicaUpdates?: boolean;
  /**
   * Oracle MySQL gtid_mode; default OFF (MySQL 9.x's own default is ON: set explicitly so tests say what they use).
   * ON also sets enforce_gtid_consistency=ON. Ignored on MariaDB, which always has its own kind of GTIDs.
   */
  gtidMode?: GtidMode;
  /** Appended last, so they win. */
  extraArgs?: readonly string[];
  binary?: ServerBinary;
  label?: string;
}

/** Server arguments for a source, by flavor. Exported for the tests that check the mapping. */
export function sourceArgs(binary: ServerBinary, options: SourceOptions): string[] {
  const args: string[] = [];
  if (options.logBin ?? true) {
    args.push("--log-bin=binlog", `--binlog-format=${options.binlogFormat ?? "ROW"}`);
  } else {
    args.push(binary.flavor === "mysql" ? "--disable-log-bin" : "--skip-log-bin");
  }
  args.push(`--require-secure-transport=${options.requireSecureTransport ? "ON" : "OFF"}`);
  args.push(`--lower-case-table-names=${options.lowerCaseTableNames ?? 0}`);
  if (options.binlogExpireLogsSeconds !== undefined) {
    args.push(`--binlog-expire-logs-seconds=${options.binlogExpireLogsSeconds}`);
  }
  if (options.expireLogsDays !== undefined) {
    if (binary.flavor === "mysql" && binary.major >= 8) {
      throw new Error("MySQL 8 removed expire_logs_days; use binlogExpireLogsSeconds");
    }
    args.push(`--expire-logs-days=${options.expireLogsDays}`);
  }
  if (binary.flavor === "mysql") {
    if (options.logReplicaUpdates) args.push("--log-replica-updates");
    args.push(...gtidArgs(options.gtidMode ?? "OFF"));
  } else if (options.logReplicaUpdates) {
    args.push("--log-slave-updates");
  }
  args.push("--relay-log=relay-bin");
  return [...args, ...(options.extraArgs ?? [])];
}

/** gtid_mode and the enforce_gtid_consistency it needs (ON requires ON; the permissive steps allow WARN/OFF). */
export function gtidArgs(mode: GtidMode): string[] {
  return [`--gtid-mode=${mode}`, `--enforce-gtid-consistency=${mode === "ON" ? "ON" : "OFF"}`];
}

/** A MariaDB source: the mistake users make (data-in replication needs MySQL on both sides); only for that test. */
export async function startMariadbSource(options: Omit<SourceOptions, "binary"> = {}): Promise<MysqlServer> {
  return startSource({ ...options, binary: await detectServerBinary("mariadb") });
}

export async function startSource(options: SourceOptions = {}): Promise<MysqlServer> {
  const binary = options.binary ?? (await detectServerBinary());
  if (options.serverId === 0 && binary.flavor === "mariadb") {
    // MariaDB's minimum server_id is 1: it would silently run with 1, and a test expecting 0 would pass for the wrong reason.
    throw new Error(
      "MariaDB cannot run with server_id 0 (it adjusts it to 1); only Oracle MySQL can be such a source",
    );
  }
  return MysqlServer.launch({
    label: options.label ?? "source",
    serverId: options.serverId ?? allocateServerId(),
    args: sourceArgs(binary, options),
    tls: await serverTlsFor(options.ca),
    binary,
  });
}
