// SQL against the replica: the admin session (TLS, verified) and the mysql.az_replication_* procedures, always with bound parameters.
import { readFileSync } from "node:fs";
import { type AppConfig } from "../config/appConfig";
import { type MysqlEndpoint, type MysqlSession, readGlobalVariables } from "../mysql/mysqlSession";

const caCache = new Map<string, string>();

function replicaCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let pem = caCache.get(file);
  if (pem === undefined) {
    pem = readFileSync(file, "utf8");
    caCache.set(file, pem);
  }
  return pem;
}

/**
 * Where the replica's MySQL endpoint really is. Azure serves every server on its FQDN at 3306; the
 * REPLICA_ADDRESS_OVERRIDES setting maps an FQDN elsewhere (private DNS tests, the local emulators).
 */
export function replicaEndpoint(
  config: Pick<
    AppConfig,
    "REPLICA_ADDRESS_OVERRIDES" | "REPLICA_TLS_CA_FILE" | "MYSQL_CONNECT_TIMEOUT_SECONDS"
  >,
  fqdn: string,
  login: string,
  password: string,
): MysqlEndpoint {
  const override = config.REPLICA_ADDRESS_OVERRIDES[fqdn.toLowerCase()];
  let host = fqdn;
  let port = 3306;
  if (override) {
    const separator = override.lastIndexOf(":");
    host = override.slice(0, separator);
    port = Number(override.slice(separator + 1));
  }
  return {
    host,
    port,
    user: login,
    password,
    // Azure enforces TLS by default; the app always uses it and verifies the server certificate and name.
    tls: { ca: replicaCa(config.REPLICA_TLS_CA_FILE), verifyIdentity: true },
    connectTimeoutMs: config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  };
}

export interface LinkParameters {
  sourceHost: string;
  sourceUser: string;
  sourcePassword: string;
  sourcePort: number;
  logFile: string;
  logPosition: number;
  /** PEM text of the source's CA, or '' for no TLS. */
  sslCa: string;
}

export async function callChangeMaster(session: MysqlSession, link: LinkParameters): Promise<void> {
  await session.execute("CALL mysql.az_replication_change_master(?, ?, ?, ?, ?, ?, ?)", [
    link.sourceHost,
    link.sourceUser,
    link.sourcePassword,
    link.sourcePort,
    link.logFile,
    link.logPosition,
    link.sslCa,
  ]);
}

export type GtidLinkParameters = Omit<LinkParameters, "logFile" | "logPosition">;

/** The link's source as the az_replication_change_master procedures take it, from the source spec and its password. */
export function linkSource(
  source: { host: string; port: number; replicationUser: string; caCertificate?: string | undefined },
  password: string,
): GtidLinkParameters {
  return {
    sourceHost: source.host,
    sourceUser: source.replicationUser,
    sourcePassword: password,
    sourcePort: source.port,
    sslCa: source.caCertificate ?? "",
  };
}

/** The replica's gtid_executed, without the line breaks MySQL puts in long sets: what a GTID link resumes from. */
export async function readGtidExecuted(session: MysqlSession): Promise<string> {
  const variables = await readGlobalVariables(session, ["gtid_executed"]);
  return (variables.get("gtid_executed") ?? "").replace(/\s+/g, "");
}

/** Flexible Server's GTID link: the replica resumes from its own GTID state (auto-position), no coordinates. */
export async function callChangeMasterWithGtid(
  session: MysqlSession,
  link: GtidLinkParameters,
): Promise<void> {
  await session.execute("CALL mysql.az_replication_change_master_with_gtid(?, ?, ?, ?, ?)", [
    link.sourceHost,
    link.sourceUser,
    link.sourcePassword,
    link.sourcePort,
    link.sslCa,
  ]);
}

export async function callStart(session: MysqlSession): Promise<void> {
  await session.query("CALL mysql.az_replication_start()");
}

export async function callStop(session: MysqlSession): Promise<void> {
  await session.query("CALL mysql.az_replication_stop()");
}

export async function callRemoveMaster(session: MysqlSession): Promise<void> {
  await session.query("CALL mysql.az_replication_remove_master()");
}

/** Skips one transaction on a file/position link. Not for GTID links: see callSkipGtidTransaction. */
export async function callSkipCounter(session: MysqlSession): Promise<void> {
  await session.query("CALL mysql.az_replication_skip_counter()");
}

/**
 * Skips the one transaction `gtid` (`uuid:n`) on a link with GTIDs on, as Azure documents for GTID links: MySQL 5.7
 * refuses the skip counter with gtid_mode=ON, and under auto-positioning MySQL 8.0+/9.x fetch the skipped transaction
 * again on the next reconnect (tests/dev/mysql/gtidReplication.test.ts); an empty transaction under its GTID holds.
 */
export async function callSkipGtidTransaction(session: MysqlSession, gtid: string): Promise<void> {
  await session.execute("CALL mysql.az_replication_skip_gtid_transaction(?)", [gtid]);
}
