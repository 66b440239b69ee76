// The replica admin session of an activity: admin password resolved at the moment of use, opened, always closed, errors classified.
import { z } from "zod";
import { type WorkflowDependencies } from "../dependencies";
import { replicaSpecSchema, sourceSpecSchema } from "../../request/provisionRequest";
import { type ReplicaSpec, type WorkflowError } from "../provisionTypes";
import { MysqlSession, readServerIdentity, type ServerIdentity } from "../../mysql/mysqlSession";
import { replicaEndpoint } from "../../replica/replicaSql";
import { type ReplicationStatus } from "../../replica/replicationStatus";
import { redactSecrets } from "../../secrets/secretResolver";
import { replicaAdminPurpose } from "../../secrets/secretBinding";
import { type ActivityOutcome, type Refusal, classifyErrors, resolveSecrets } from "./activityOutcome";

/** The input part of every activity that opens the replica's admin session: the replica and the name to reach it by. */
export const replicaSessionInputSchema = z.object({ replica: replicaSpecSchema, fqdn: z.string() });
/** ...and of every activity that works on both ends of the link. */
export const linkEndsInputSchema = replicaSessionInputSchema.extend({ source: sourceSpecSchema });

export interface OpenReplicaSession {
  session: MysqlSession;
  identity: ServerIdentity;
  adminPassword: string;
}

async function openReplicaSession(
  deps: WorkflowDependencies,
  replica: ReplicaSpec,
  fqdn: string,
  adminPassword: string,
): Promise<OpenReplicaSession> {
  const login = deps.replicaManager(replica).adminLogin(replica.adminUser);
  const session = await MysqlSession.open(replicaEndpoint(deps.config, fqdn, login, adminPassword));
  try {
    const identity = await readServerIdentity(session);
    return { session, identity, adminPassword };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * Runs `work` on an admin session of the replica. A refused admin secret is the SECRET_UNAVAILABLE outcome; the
 * session is always closed; a transient MySQL error is thrown for the retry policy, a permanent one is returned as
 * `refused` words it; the admin password and `otherSecrets` are removed from every message that leaves.
 */
export async function withReplicaSession<T>(
  deps: WorkflowDependencies,
  target: { replica: ReplicaSpec; fqdn: string; otherSecrets?: readonly string[] },
  refused: (refusal: Refusal) => WorkflowError,
  work: (opened: OpenReplicaSession) => Promise<ActivityOutcome<T>>,
): Promise<ActivityOutcome<T>> {
  const { replica, fqdn, otherSecrets = [] } = target;
  const admin = await resolveSecrets(() =>
    deps.secrets.resolve(replica.adminPassword, replicaAdminPurpose(replica)),
  );
  if (!admin.ok) return admin;
  return classifyErrors([admin.value, ...otherSecrets], refused, async () => {
    const opened = await openReplicaSession(deps, replica, fqdn, admin.value);
    try {
      return await work(opened);
    } finally {
      await opened.session.close();
    }
  });
}

/** The status with the threads' error texts redacted: server errors echo connection details. */
export function redactStatus(status: ReplicationStatus, secrets: readonly string[]): ReplicationStatus {
  return {
    ...status,
    lastIoError: redactSecrets(status.lastIoError, secrets),
    lastSqlError: redactSecrets(status.lastSqlError, secrets),
  };
}
