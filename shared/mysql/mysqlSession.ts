// One mysql2 connection with the app's TLS rules, a round-trip counter, and version-aware replication statements.
import { createHash } from "node:crypto";
import type { Connection, ConnectionOptions, RowDataPacket } from "mysql2/promise";
import { type ServerIdentity } from "../domain/serverIdentity";

export type { ServerIdentity } from "../domain/serverIdentity";

interface TlsSettings {
  /** PEM text of the CA(s) to trust; undefined means Node's default public roots. */
  ca?: string;
  /** Also check the certificate names the host (only possible when connecting by DNS name). */
  verifyIdentity?: boolean;
  /** Only for probing whether a server insists on TLS: encrypt without verifying the certificate. */
  probeWithoutVerification?: boolean;
}

export interface MysqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** false: plain connection; an object: TLS that verifies the server certificate and host name. */
  tls: TlsSettings | false;
  connectTimeoutMs: number;
  /**
   * Several statements in one query text, one round trip (the health probe). Only for SQL text the app writes
   * itself: never set it where a value from a request could reach the text.
   */
  multipleStatements?: boolean;
}

export type Row = Record<string, unknown>;

interface SslOptions {
  ca: string | undefined;
  rejectUnauthorized: boolean;
  verifyIdentity: boolean;
}

const sslOptionsCache = new Map<string, SslOptions>();

/**
 * The same settings give the same options object: mysql2 keys its TLS secure context and session cache on it,
 * so reusing it saves parsing the CA and a full handshake on every connection (a re-validation pass opens many).
 */
function sslOptions(tls: TlsSettings): SslOptions {
  const rejectUnauthorized = tls.probeWithoutVerification !== true;
  const verifyIdentity = tls.verifyIdentity ?? false;
  const key = `${rejectUnauthorized}|${verifyIdentity}|${tls.ca === undefined ? "" : createHash("sha256").update(tls.ca).digest("hex")}`;
  let options = sslOptionsCache.get(key);
  if (!options) {
    options = { ca: tls.ca, rejectUnauthorized, verifyIdentity };
    sslOptionsCache.set(key, options);
  }
  return options;
}

/**
 * A mysql2 connection to `endpoint` with the app's TLS rules, big numbers and dates as the server sends them, and
 * utf8mb4; `options` adds or overrides what one kind of connection needs.
 */
export async function openMysqlConnection(
  endpoint: MysqlEndpoint,
  options: Omit<ConnectionOptions, "host" | "port" | "user" | "password" | "connectTimeout" | "ssl">,
): Promise<Connection> {
  // Loaded on first use: the HTTP functions that never reach MySQL start faster without it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createConnection } = require("mysql2/promise") as typeof import("mysql2/promise");
  const connection = await createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    connectTimeout: endpoint.connectTimeoutMs,
    ssl: endpoint.tls === false ? undefined : sslOptions(endpoint.tls),
    supportBigNumbers: true,
    dateStrings: true,
    charset: "utf8mb4_general_ci",
    ...options,
  });
  // A connection error after the handshake must not crash the process: mysql2 emits it as an event, and the pending
  // query rejects with it, which is what counts.
  connection.on("error", () => undefined);
  return connection;
}

/** A mysql2 connection that counts its round trips (the validation benchmark reports them). */
export class MysqlSession {
  roundTrips = 0;
  private constructor(
    private readonly connection: Connection,
    readonly endpoint: Omit<MysqlEndpoint, "password">,
  ) {}

  static async open(endpoint: MysqlEndpoint): Promise<MysqlSession> {
    const connection = await openMysqlConnection(endpoint, {
      bigNumberStrings: false,
      multipleStatements: endpoint.multipleStatements === true,
    });
    const { password: _password, ...publicEndpoint } = endpoint;
    return new MysqlSession(connection, publicEndpoint);
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    this.roundTrips += 1;
    const [rows] = await this.connection.query<RowDataPacket[]>(sql, params);
    return Array.isArray(rows) ? rows : [];
  }

  /** Runs a multi-statement text in one round trip; one row list per statement (needs `multipleStatements`). */
  async queryMany(sql: string): Promise<Row[][]> {
    this.roundTrips += 1;
    const [results] = await this.connection.query<RowDataPacket[][]>(sql);
    // A single statement comes back as one row list, not a list of them.
    if (!Array.isArray(results) || results.length === 0 || !Array.isArray(results[0])) {
      return [Array.isArray(results) ? (results as unknown as Row[]) : []];
    }
    return results.map((rows) => (Array.isArray(rows) ? rows : []));
  }

  /** The version the server announced in its handshake (no round trip); null when the driver does not say. */
  handshakeServerVersion(): string | null {
    // mysql2 keeps the handshake packet on its core connection; not a public API, hence the guard.
    const core = (
      this.connection as unknown as { connection?: { _handshakePacket?: { serverVersion?: unknown } } }
    ).connection;
    const version = core?._handshakePacket?.serverVersion;
    return typeof version === "string" ? version : null;
  }

  /** A prepared statement: values travel as bound parameters, never in the SQL text. */
  async execute(sql: string, params: unknown[] = []): Promise<Row[]> {
    this.roundTrips += 1;
    const [rows] = await this.connection.execute<RowDataPacket[]>(sql, params as never[]);
    return Array.isArray(rows) ? rows : [];
  }

  async close(): Promise<void> {
    try {
      await this.connection.end();
    } catch {
      this.connection.destroy();
    }
  }
}

export function parseServerIdentity(version: string, versionComment: string): ServerIdentity {
  const flavor: ServerIdentity["flavor"] =
    /mariadb/i.test(version) || /mariadb/i.test(versionComment) ? "mariadb" : "mysql";
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const patch = Number(match?.[3] ?? 0);
  return { flavor, version, majorMinor: `${major}.${minor}`, major, minor, patch };
}

function atLeast(identity: ServerIdentity, major: number, minor: number, patch = 0): boolean {
  if (identity.major !== major) return identity.major > major;
  if (identity.minor !== minor) return identity.minor > minor;
  return identity.patch >= patch;
}

/** SHOW MASTER STATUS was renamed SHOW BINARY LOG STATUS in MySQL 8.2 and removed in 8.4. */
export function binaryLogStatusStatement(identity: ServerIdentity): string {
  return identity.flavor === "mysql" && atLeast(identity, 8, 2)
    ? "SHOW BINARY LOG STATUS"
    : "SHOW MASTER STATUS";
}

/** SHOW SLAVE STATUS became SHOW REPLICA STATUS in MySQL 8.0.22 (MariaDB accepts both from 10.5.1). */
export function replicaStatusStatement(identity: ServerIdentity): string {
  if (identity.flavor === "mysql")
    return atLeast(identity, 8, 0, 22) ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
  return "SHOW SLAVE STATUS";
}

/** Window functions exist from MySQL 8.0 and MariaDB 10.2. */
export function supportsWindowFunctions(identity: ServerIdentity): boolean {
  return identity.flavor === "mariadb" ? atLeast(identity, 10, 2) : atLeast(identity, 8, 0);
}

export async function readServerIdentity(session: MysqlSession): Promise<ServerIdentity> {
  const [row] = await session.query("SELECT @@version AS version, @@version_comment AS versionComment");
  return parseServerIdentity(cellText(row?.version), cellText(row?.versionComment));
}

/** Global variables by name in one round trip; names the server does not know are simply absent. */
export async function readGlobalVariables(
  session: MysqlSession,
  names: readonly string[],
): Promise<Map<string, string>> {
  const placeholders = names.map(() => "?").join(",");
  const rows = await session.query(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${placeholders})`, [
    ...names,
  ]);
  return new Map(rows.map((row) => [cellText(row.Variable_name).toLowerCase(), cellText(row.Value)]));
}

/** A result cell as text (mysql2 returns strings, numbers, Buffers or null). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return JSON.stringify(value);
}
