// The source's logins for an activity: passwords resolved at the moment of use, the address pinned, TLS as the link has it.
import { type WorkflowDependencies } from "../dependencies";
import { type SourceSpec, type WorkflowError } from "../provisionTypes";
import {
  MysqlSession,
  type MysqlEndpoint,
  binaryLogStatusStatement,
  cellText,
  readServerIdentity,
} from "../../mysql/mysqlSession";
import { resolveSourcePassword } from "../../secrets/resolveSourcePassword";
import { pinSourceAddress } from "../../source/sourceAddress";
import { type ActivityOutcome, type Refusal, classifyErrors, resolveSecrets } from "./activityOutcome";

export interface SourcePasswords {
  replication: string;
  /** Only when the link has an inspection login. */
  inspection: string | undefined;
  /** Every value, for redaction. */
  all: string[];
}

/** The replication password and, when the link has an inspection login and `withInspection`, its password. */
export function resolveSourcePasswords(
  deps: WorkflowDependencies,
  source: SourceSpec,
  { fieldPrefix = "source.", withInspection = true }: { fieldPrefix?: string; withInspection?: boolean } = {},
): Promise<ActivityOutcome<SourcePasswords>> {
  return resolveSecrets(async () => {
    const replication = await resolveSourcePassword(deps.secrets, source, "replication", fieldPrefix);
    const inspection =
      withInspection && source.inspectionPassword
        ? await resolveSourcePassword(deps.secrets, source, "inspection", fieldPrefix)
        : undefined;
    return { replication, inspection, all: inspection ? [replication, inspection] : [replication] };
  });
}

/** The login that reads the source: the inspection login when the link has one (REPLICATION CLIENT and SELECT), else the replication user. */
export function readerLogin(
  source: SourceSpec,
  passwords: SourcePasswords,
): { user: string; password: string } {
  return source.inspectionUser && passwords.inspection !== undefined
    ? { user: source.inspectionUser, password: passwords.inspection }
    : { user: source.replicationUser, password: passwords.replication };
}

export async function sourceEndpoint(
  deps: WorkflowDependencies,
  source: SourceSpec,
  login: { user: string; password: string },
): Promise<MysqlEndpoint> {
  return {
    host: await pinSourceAddress(source.host, deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES),
    port: source.port,
    user: login.user,
    password: login.password,
    tls: source.caCertificate ? { ca: source.caCertificate } : false,
    connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  };
}

/** The source's current binlog file and position, by the statement its version has; null when binary logging is off. */
export async function readSourceCoordinates(
  session: MysqlSession,
): Promise<{ file: string; position: number } | null> {
  const identity = await readServerIdentity(session);
  const [row] = await session.query(binaryLogStatusStatement(identity));
  return row?.File ? { file: cellText(row.File), position: Number(row.Position) } : null;
}

/** Opens a session on the source as `login`, runs `work` and always closes it; errors are the caller's to classify. */
export async function onSource<T>(
  deps: WorkflowDependencies,
  source: SourceSpec,
  login: { user: string; password: string },
  work: (session: MysqlSession) => Promise<T>,
): Promise<T> {
  const session = await MysqlSession.open(await sourceEndpoint(deps, source, login));
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/**
 * Runs `work` on a session of the source as its reader login (or its replication login), with the replica session's
 * contract: a refused secret is SECRET_UNAVAILABLE, the session always closed, transient errors thrown, permanent
 * ones returned as `refused` words them, every password removed from what leaves.
 */
export async function withSourceSession<T>(
  deps: WorkflowDependencies,
  target: { source: SourceSpec; as: "reader" | "replication"; fieldPrefix?: string },
  refused: (refusal: Refusal, user: string) => WorkflowError,
  work: (session: MysqlSession, user: string) => Promise<ActivityOutcome<T>>,
): Promise<ActivityOutcome<T>> {
  const { source } = target;
  const passwords = await resolveSourcePasswords(deps, source, {
    ...(target.fieldPrefix !== undefined ? { fieldPrefix: target.fieldPrefix } : {}),
    withInspection: target.as === "reader",
  });
  if (!passwords.ok) return passwords;
  const login =
    target.as === "reader"
      ? readerLogin(source, passwords.value)
      : { user: source.replicationUser, password: passwords.value.replication };
  return classifyErrors(
    passwords.value.all,
    (refusal) => refused(refusal, login.user),
    () => onSource(deps, source, login, (session) => work(session, login.user)),
  );
}
