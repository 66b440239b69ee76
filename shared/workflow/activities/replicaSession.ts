// Opens an admin session on the replica for an activity: resolves the admin password there and returns the secrets to redact.
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec } from "../provisionTypes";
import { MysqlSession, readServerIdentity, type ServerIdentity } from "../../mysql/mysqlSession";
import { replicaEndpoint } from "../../replica/replicaSql";

export interface OpenReplicaSession {
  session: MysqlSession;
  identity: ServerIdentity;
  adminPassword: string;
}

export async function openReplicaSession(
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
