// Reads everything the source checks judge, with a fixed number of queries: the address, both logins, variables, grants, binary logs and schemas.
import {
  type MysqlEndpoint,
  MysqlSession,
  type ServerIdentity,
  cellText,
  parseServerIdentity,
  readGlobalVariables,
} from "../mysql/mysqlSession";
import { isTransientMysqlError, mysqlErrno } from "../errors/mysqlErrors";
import {
  type ConnectFailure,
  type ConnectedFacts,
  type GatheredFacts,
  type Inspection,
} from "./gatheredFacts";
import { type BinaryLogs, readBinaryLogs } from "./readBinaryLogs";
import { inspectSchemas } from "./inspectSchemas";
import { judgeSourceAddress } from "./sourceAddress";
import { type SourceValidationInput } from "./sourceValidationInput";

const VARIABLES = [
  "version",
  "version_comment",
  "log_bin",
  "binlog_format",
  "server_id",
  "lower_case_table_names",
  "gtid_mode",
  "enforce_gtid_consistency",
  "gtid_executed",
  "gtid_purged",
  "require_secure_transport",
  "have_ssl",
  "binlog_expire_logs_seconds",
  "expire_logs_days",
  "sql_generate_invisible_primary_key",
] as const;

const TLS_ERROR_CODES = new Set([
  "HANDSHAKE_NO_SSL_SUPPORT",
  "HANDSHAKE_SSL_ERROR",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function classifyConnectError(error: unknown, endpoint: MysqlEndpoint): ConnectFailure {
  const code = (error as { code?: unknown }).code;
  const errno = mysqlErrno(error);
  const text = errorText(error);
  if (typeof code === "string" && TLS_ERROR_CODES.has(code)) return { kind: "tls", text };
  if (errno === 3159 || /insecure transport|secure transport/i.test(text))
    return { kind: "tlsRequired", text };
  if (errno === 1045) return { kind: "accessDenied", user: endpoint.user };
  if (isTransientMysqlError(error) || code === "ENOTFOUND") {
    return { kind: "unreachable", host: endpoint.host, port: endpoint.port, text };
  }
  return { kind: "other", user: endpoint.user, text };
}

async function connect(endpoint: MysqlEndpoint): Promise<MysqlSession | ConnectFailure> {
  try {
    return await MysqlSession.open(endpoint);
  } catch (error) {
    return classifyConnectError(error, endpoint);
  }
}

function endpointFor(
  input: SourceValidationInput,
  address: string,
  user: string,
  password: string,
): MysqlEndpoint {
  return {
    // The judged address, never the name: a second lookup could answer with another (DNS rebinding).
    host: address,
    port: input.port,
    user,
    password,
    tls: input.caCertificate ? { ca: input.caCertificate } : false,
    connectTimeoutMs: input.connectTimeoutMs,
  };
}

async function judgeAddress(input: SourceValidationInput) {
  const address = await judgeSourceAddress(input.host, { allowPrivate: input.allowPrivateAddresses });
  if (address.verdict !== "fail" || !address.privateOnly || !input.replicaVnetSubnet) return address;
  const vnetSubnet = await input.replicaVnetSubnet();
  return vnetSubnet ? judgeSourceAddress(input.host, { allowPrivate: false, vnetSubnet }) : address;
}

interface Gathered {
  facts: GatheredFacts;
  /** Queries sent to the source, over every session. */
  roundTrips: number;
}

/** The replication user's session, or why there is none; and whether only a TLS probe got in. */
async function connectReplicationUser(
  input: SourceValidationInput,
  address: string,
): Promise<{ session: MysqlSession | ConnectFailure; tlsOnlyWithoutCa: boolean }> {
  const endpoint = endpointFor(input, address, input.replicationUser, input.replicationPassword);
  const session = await connect(endpoint);
  if (session instanceof MysqlSession || !isLoginFailure(session) || input.caCertificate) {
    return { session, tlsOnlyWithoutCa: false };
  }
  // MariaDB answers "access denied" to a plain connection when TLS is required (require_secure_transport or
  // REQUIRE SSL). Probe with TLS: if that logs in, the missing CA is the problem, and the other checks can still run.
  const probe = await connect({ ...endpoint, tls: { probeWithoutVerification: true } });
  return probe instanceof MysqlSession
    ? { session: probe, tlsOnlyWithoutCa: true }
    : { session, tlsOnlyWithoutCa: false };
}

/** Access denied, or another refusal that is neither the network nor TLS. */
function isLoginFailure(failure: ConnectFailure): boolean {
  return failure.kind === "accessDenied" || failure.kind === "other";
}

/** The inspection account's reading of the schemas (and binary logs), when one is given and connects. */
async function inspectAs(
  input: SourceValidationInput,
  address: string,
  identity: ServerIdentity,
): Promise<{ inspection: Inspection; logs: BinaryLogs | null; roundTrips: number }> {
  if (!input.inspection) return { inspection: { state: "notGiven" }, logs: null, roundTrips: 0 };
  const session = await connect(
    endpointFor(input, address, input.inspection.user, input.inspection.password),
  );
  if (!(session instanceof MysqlSession)) {
    return { inspection: { state: "connectFailed", failure: session }, logs: null, roundTrips: 0 };
  }
  try {
    const { inspection, binaryLogs } = await inspectSchemas(session, identity, input);
    return { inspection, logs: binaryLogs, roundTrips: session.roundTrips };
  } finally {
    await session.close();
  }
}

/**
 * Connects as the replication user (and, when given, the inspection account) to the judged address and reads what
 * the checks need. Nothing is judged here except where reading stops: no connection after a refused address, no
 * query without a session. Throws only what no check can report (a query failing after login).
 */
export async function gatherFacts(input: SourceValidationInput): Promise<Gathered> {
  const address = await judgeAddress(input);
  // Refused before any connection: no password goes to an address that failed the check.
  if (address.verdict === "fail") return { facts: { stage: "addressRefused", address }, roundTrips: 0 };
  const { session, tlsOnlyWithoutCa } = await connectReplicationUser(input, address.connectTo);
  if (!(session instanceof MysqlSession)) {
    return { facts: { stage: "notConnected", address, failure: session }, roundTrips: 0 };
  }
  let roundTrips = 0;
  let facts: ConnectedFacts;
  try {
    const variables = await readGlobalVariables(session, VARIABLES);
    const identity = parseServerIdentity(
      variables.get("version") ?? "",
      variables.get("version_comment") ?? "",
    );
    const grants = (await session.query("SHOW GRANTS")).map((row) => cellText(Object.values(row)[0]));
    const inspected = await inspectAs(input, address.connectTo, identity);
    roundTrips += inspected.roundTrips;
    // The inspection account usually may list the binary logs; the replication user is asked only when it may not
    // and the coordinates matter (given coordinates to check, or GTID linking).
    const logs = inspected.logs?.binaryLogs
      ? inspected.logs
      : input.binlog || input.linking === "gtid"
        ? await readBinaryLogs(session, identity)
        : { binaryLogs: null, currentCoordinates: null };
    const { inspection } = inspected;
    facts = {
      stage: "connected",
      address,
      tlsOnlyWithoutCa,
      variables,
      identity,
      grants,
      inspection,
      ...logs,
    };
  } finally {
    roundTrips += session.roundTrips;
    await session.close();
  }
  return { facts, roundTrips };
}
