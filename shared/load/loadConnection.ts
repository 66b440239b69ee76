// Raw mysql2 connections for the copy: streamed reads, JSON and spatial values kept byte-exact, UTC for TIMESTAMP.
import type { Connection, RowDataPacket } from "mysql2/promise";
import { type MysqlEndpoint, openMysqlConnection } from "../mysql/mysqlSession";

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
  const connection = await openMysqlConnection(endpoint, {
    bigNumberStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
    typeCast,
  });
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
