// Raw mysql2 connections for the copy: streamed reads, JSON and spatial values kept byte-exact, UTC for TIMESTAMP.
import type { Connection, RowDataPacket } from "mysql2/promise";
import { type MysqlEndpoint } from "../mysql/mysqlSession";

/**
 * Values must go back into the replica exactly as read: JSON as its text (mysql2 would parse it into an object), spatial
 * values as their internal bytes (mysql2 would parse them into points). Dates stay strings (dateStrings), DECIMAL and
 * large integers stay strings, binary columns are Buffers.
 */
interface CastField {
  type: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

function typeCast(field: CastField, next: () => unknown): unknown {
  if (field.type === "JSON") return field.string("utf8");
  if (field.type === "GEOMETRY") return field.buffer();
  return next();
}

export async function openLoadConnection(endpoint: MysqlEndpoint): Promise<Connection> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createConnection } = require("mysql2/promise") as typeof import("mysql2/promise");
  const connection = await createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    connectTimeout: endpoint.connectTimeoutMs,
    ssl:
      endpoint.tls === false
        ? undefined
        : {
            ca: endpoint.tls.ca,
            rejectUnauthorized: endpoint.tls.probeWithoutVerification !== true,
            verifyIdentity: endpoint.tls.verifyIdentity ?? false,
          },
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    multipleStatements: false,
    charset: "utf8mb4_general_ci",
    typeCast,
  });
  // Errors after the handshake arrive as events; the pending query rejects with them, which is what counts.
  connection.on("error", () => undefined);
  // Both sides in UTC: TIMESTAMP values read and written in the same zone come back unchanged.
  await connection.query("SET SESSION time_zone = '+00:00'");
  return connection;
}

export async function rows(
  connection: Connection,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const [result] = await connection.query<RowDataPacket[]>(sql, params);
  return Array.isArray(result) ? result : [];
}

export async function closeQuietly(connection: Connection | undefined): Promise<void> {
  if (!connection) return;
  try {
    await connection.end();
  } catch {
    connection.destroy();
  }
}

/** Backquoted identifier; a backquote inside is doubled. */
export function ident(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}
