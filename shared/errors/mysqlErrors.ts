// MySQL error classification and the diagnosis/remedy table of DOMAIN.md, as small named predicates.

export interface Diagnosis {
  code: string;
  message: string;
  remedy: string;
  permanent: boolean;
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
    remedy:
      "Supply the source's CA certificate so replication uses TLS, or create the replication user with mysql_native_password.",
    permanent: true,
  },
  3201: {
    meaning: "caching_sha2_password requires a secure connection",
    remedy:
      "Supply the source's CA certificate so replication uses TLS, or create the replication user with mysql_native_password.",
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
      "The replica holds a row the source is inserting. Reconcile the row, then skip the event deliberately (az_replication_skip_counter) or re-seed; never skip silently.",
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
};

export function diagnoseReplicationError(errno: number, serverMessage: string): Diagnosis {
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
    remedy: known.remedy,
    permanent: known.permanent,
  };
}

/** Replication IO-thread errors that no retry will fix. */
export function isPermanentReplicationError(errno: number): boolean {
  return DIAGNOSES[errno]?.permanent ?? errno !== 0;
}

const TRANSIENT_CLIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
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
