// MySQL error classification and the diagnosis/remedy table of DOMAIN.md, as small named predicates.
import { NETWORK_FAILURE_CODES } from "./networkErrors";

export interface Diagnosis {
  code: string;
  message: string;
  remedy: string;
  permanent: boolean;
}

const GIPK_REMEDY =
  "Set the server parameter sql_generate_invisible_primary_key to OFF on the replica (az mysql flexible-server parameter set --name sql_generate_invisible_primary_key --value OFF), then on the replica drop the generated key of the table the failing statement names (ALTER TABLE <table> DROP PRIMARY KEY, DROP COLUMN my_row_id) so its definition matches the source's, and start replication again (the statement is applied then, not skipped). Tables created without a primary key from then on stay without one on the replica, as on the source.";

/**
 * What to do about caching_sha2_password without TLS, by the source's version. MySQL 8.4 ships mysql_native_password
 * disabled (it loads only with --mysql-native-password=ON) and 9.0 removed it: from 8.4 on, TLS is the answer.
 */
export function authPluginRemedy(source: { major: number; minor: number } | null): string {
  const tls =
    "Supply the source's CA certificate (source.caCertificate, PEM) so replication connects over TLS; caching_sha2_password then works.";
  if (!source) {
    return `${tls} Falling back to mysql_native_password is possible only on MySQL 8.0 and earlier (deprecated); MySQL 8.4 disables it by default and 9.0 removed it.`;
  }
  if (source.major >= 9)
    return `${tls} The source runs MySQL ${source.major}.${source.minor}, which no longer has mysql_native_password (removed in 9.0): TLS is the only way.`;
  if (source.major === 8 && source.minor >= 4)
    return `${tls} The source runs MySQL ${source.major}.${source.minor}, where mysql_native_password is disabled by default and deprecated: do not re-enable it for replication.`;
  return `${tls} Alternatively (MySQL ${source.major}.${source.minor}; deprecated) recreate the replication user WITH mysql_native_password.`;
}

const DIAGNOSES: Record<number, Omit<Diagnosis, "code" | "message"> & { meaning: string }> = {
  2003: {
    meaning: "the replica cannot connect to the source",
    remedy:
      "Check that the source host resolves publicly, that port is open, and that the source's firewall admits the replica; it is retried with backoff.",
    permanent: false,
  },
  2005: {
    meaning: "the source host name does not resolve",
    remedy: "Use a host name that resolves in public DNS, or the source's public IP address.",
    permanent: false,
  },
  2013: {
    meaning: "the connection to the source was lost",
    remedy: "Usually transient (network or a source restart); it is retried with backoff.",
    permanent: false,
  },
  1040: {
    meaning: "the source refuses connections (too many connections)",
    remedy: "Usually transient; raise max_connections on the source if it persists.",
    permanent: false,
  },
  1053: {
    meaning: "the source is shutting down",
    remedy: "Transient: replication resumes when the source is back.",
    permanent: false,
  },
  2002: {
    meaning: "the source cannot be reached",
    remedy: "Check the source host and port; it is retried with backoff.",
    permanent: false,
  },
  2006: {
    meaning: "the source went away",
    remedy: "Usually transient (network or a source restart); it is retried with backoff.",
    permanent: false,
  },
  1045: {
    meaning: "access denied for the replication user",
    remedy:
      "Check the replication user's name and password on the source; if the user is created with REQUIRE SSL, supply the source's CA certificate.",
    permanent: true,
  },
  2026: {
    meaning: "TLS error between replica and source",
    remedy:
      "Supply the CA certificate (PEM) that signed the source's server certificate, and make sure TLS is enabled on the source.",
    permanent: true,
  },
  2061: {
    meaning: "caching_sha2_password requires a secure connection",
    remedy: authPluginRemedy(null),
    permanent: true,
  },
  3201: {
    meaning: "caching_sha2_password requires a secure connection",
    remedy: authPluginRemedy(null),
    permanent: true,
  },
  1236: {
    meaning: "the source cannot serve the requested binlog (purged, bad coordinates, or server_id unset)",
    remedy:
      "Re-seed the replica from a new dump taken with --master-data (or --source-data) and link again with the new coordinates; make sure the source's server_id is set and binlog retention is long enough.",
    permanent: true,
  },
  // MySQL 8.0+ wraps the source's 1236 in ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG on the IO thread (seen on 9.7):
  // a purged binlog or stale coordinates now read as 13114, never 1236.
  13114: {
    meaning: "the source cannot serve the requested binlog (purged, bad coordinates, or server_id unset)",
    remedy:
      "Re-seed the replica from a new dump taken with --source-data (or --master-data) and link again with the new coordinates; make sure the source's server_id is set and binlog retention is long enough.",
    permanent: true,
  },
  // Equal server_uuid on source and replica (a cloned data directory): the IO thread stops at once.
  13117: {
    meaning: "the source and the replica have the same server_uuid",
    remedy:
      "The source's data directory was cloned from the replica's or vice versa: delete auto.cnf on the source and restart it so it generates its own server_uuid.",
    permanent: true,
  },
  1062: {
    meaning: "duplicate key on the replica (data drift)",
    remedy:
      "The replica holds a row the source is inserting. Reconcile the row, then skip the transaction deliberately (az_replication_skip_counter on a file/position link, az_replication_skip_gtid_transaction('<uuid:n>') on a GTID link) or re-seed; never skip silently.",
    permanent: true,
  },
  1032: {
    meaning: "row not found on the replica (data drift)",
    remedy: "The replica lacks a row the source changed. Reconcile the data or re-seed; never skip silently.",
    permanent: true,
  },
  1146: {
    meaning: "table missing on the replica",
    remedy: "Create or restore the table on the replica, or filter it with replicate_wild_ignore_table.",
    permanent: true,
  },
  // Generated invisible primary keys (GIPK, sql_generate_invisible_primary_key, ON by default on Flexible Server 8.0+):
  // a table created on the source without a primary key gets my_row_id on the replica only, and a later DDL from the
  // source that adds a primary key or an AUTO_INCREMENT column fails on the replica. Azure's fix, from "Replicate data
  // into Azure Database for MySQL - Flexible Server" (learn.microsoft.com/azure/mysql/flexible-server/
  // concepts-data-in-replication, section on generated invisible primary keys) and "Limitations" (concepts-limitations,
  // "Generated Invisible Primary Keys"): turn the sql_generate_invisible_primary_key server parameter OFF on the
  // replica, drop the generated key of the affected table on the replica, and start replication again.
  1068: {
    meaning:
      "multiple primary keys defined on the replica: the source added a primary key to a table that has a generated invisible primary key (my_row_id) on the replica",
    remedy: GIPK_REMEDY,
    permanent: true,
  },
  1075: {
    meaning:
      "incorrect table definition on the replica (only one auto column, and it must be a key): the source added an AUTO_INCREMENT column to a table that has a generated invisible primary key (my_row_id) on the replica",
    remedy: GIPK_REMEDY,
    permanent: true,
  },
  4109: {
    meaning:
      "the replica failed to generate an invisible primary key because the table already has an AUTO_INCREMENT column",
    remedy: GIPK_REMEDY,
    permanent: true,
  },
};

/** `source`: the source server's version when known; remedies that depend on it (2061, 3201) then name it. */
export function diagnoseReplicationError(
  errno: number,
  serverMessage: string,
  source: { major: number; minor: number } | null = null,
): Diagnosis {
  const known = DIAGNOSES[errno];
  if (!known) {
    return {
      code: `MYSQL_${errno}`,
      message: serverMessage,
      remedy: "See the MySQL error reference for this error number.",
      permanent: true,
    };
  }
  return {
    code: `MYSQL_${errno}`,
    message: `${known.meaning}: ${serverMessage}`,
    remedy: errno === 2061 || errno === 3201 ? authPluginRemedy(source) : known.remedy,
    permanent: known.permanent,
  };
}

/** Replication IO-thread errors that no retry will fix. */
export function isPermanentReplicationError(errno: number): boolean {
  return DIAGNOSES[errno]?.permanent ?? errno !== 0;
}

const TRANSIENT_CLIENT_CODES = new Set<string>([
  ...NETWORK_FAILURE_CODES,
  // mysql2's own: the server closed the connection, or stopped answering mid-command.
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
]);
const TRANSIENT_SERVER_ERRNOS = new Set([1040, 1053, 1205, 1213, 2002, 2003, 2006, 2013, 1927]);
// mysql2 renames every error raised during the TLS handshake to HANDSHAKE_SSL_ERROR, ECONNRESET included: a server
// restarting mid-handshake is still the network, while a certificate problem (no match here) stays permanent.
const TLS_HANDSHAKE_DROPPED = /socket disconnected before secure TLS connection|ECONNRESET|socket hang up/i;

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}

/** A mysql2 client error worth retrying: the network, a restart, a lost connection, a lock timeout. */
export function isTransientMysqlError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, errno } = error as ErrorLike;
  if (typeof code === "string" && TRANSIENT_CLIENT_CODES.has(code)) return true;
  if (code === "HANDSHAKE_SSL_ERROR" && TLS_HANDSHAKE_DROPPED.test(String((error as Error).message)))
    return true;
  return typeof errno === "number" && TRANSIENT_SERVER_ERRNOS.has(errno);
}

export function mysqlErrno(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { errno } = error as ErrorLike;
  return typeof errno === "number" ? errno : undefined;
}
