// The two endpoints of an initial load: the source as the inspection (load) user, the replica as its admin; secrets resolved here only.
import { replicaAdminPurpose, sourcePurpose } from "../../secrets/secretBinding";
import { type MysqlEndpoint } from "../../mysql/mysqlSession";
import { pinSourceAddress } from "../../source/sourceAddress";
import { replicaEndpoint } from "../../replica/replicaSql";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";

export interface LoadEndpoints {
  source: MysqlEndpoint;
  replica: MysqlEndpoint;
  /** Every secret value, for redaction. */
  secrets: string[];
}

export async function loadEndpoints(
  deps: WorkflowDependencies,
  source: SourceSpec,
  replica: ReplicaSpec,
  fqdn: string,
): Promise<LoadEndpoints> {
  if (!source.inspectionUser || !source.inspectionPassword)
    throw new Error("An initial load needs source.inspectionUser and source.inspectionPassword.");
  const adminPassword = await deps.secrets.resolve(replica.adminPassword, replicaAdminPurpose(replica));
  const loadPassword = await deps.secrets.resolve(
    source.inspectionPassword,
    sourcePurpose("source.inspectionPassword", "source-inspection", source, source.inspectionUser),
  );
  const login = deps.replicaManager(replica).adminLogin(replica.adminUser);
  return {
    source: {
      host: await pinSourceAddress(source.host, deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES),
      port: source.port,
      user: source.inspectionUser,
      password: loadPassword,
      tls: source.caCertificate ? { ca: source.caCertificate } : false,
      connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
    },
    replica: replicaEndpoint(deps.config, fqdn, login, adminPassword),
    secrets: [adminPassword, loadPassword],
  };
}
