// The two endpoints of an initial load: the source as the inspection (load) user, the replica as its admin; secrets resolved here only.
import { replicaAdminPurpose } from "../../secrets/secretBinding";
import { type MysqlEndpoint } from "../../mysql/mysqlSession";
import { replicaEndpoint } from "../../replica/replicaSql";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec, type WorkflowError } from "../provisionTypes";
import {
  type ActivityOutcome,
  type Refusal,
  classifyErrors,
  resolveSecrets,
  succeeded,
} from "./activityOutcome";
import { sourceEndpoint } from "./sourceSession";
import { resolveSourcePassword } from "../../secrets/resolveSourcePassword";

export interface LoadEndpoints {
  source: MysqlEndpoint;
  replica: MysqlEndpoint;
  /** Every secret value, for redaction. */
  secrets: string[];
}

/** Both endpoints, or the SECRET_UNAVAILABLE outcome when a password is refused (a transient failure is thrown). */
async function loadEndpoints(
  deps: WorkflowDependencies,
  source: SourceSpec,
  replica: ReplicaSpec,
  fqdn: string,
): Promise<ActivityOutcome<LoadEndpoints>> {
  const loadUser = source.inspectionUser;
  if (!loadUser || !source.inspectionPassword)
    throw new Error("An initial load needs source.inspectionUser and source.inspectionPassword.");
  const resolved = await resolveSecrets(async () => ({
    admin: await deps.secrets.resolve(replica.adminPassword, replicaAdminPurpose(replica)),
    load: await resolveSourcePassword(deps.secrets, source, "inspection"),
  }));
  if (!resolved.ok) return resolved;
  const { admin, load } = resolved.value;
  const login = deps.replicaManager(replica).adminLogin(replica.adminUser);
  return succeeded({
    source: await sourceEndpoint(deps, source, { user: loadUser, password: load }),
    replica: replicaEndpoint(deps.config, fqdn, login, admin),
    secrets: [admin, load],
  });
}

/**
 * Runs `work` on the load's endpoints with the session scaffold's contract: a refused secret is SECRET_UNAVAILABLE,
 * transient errors (by `isTransient`) are thrown for the retry policy, permanent ones returned as `refused` words them,
 * every password removed from what leaves.
 */
export async function withLoadEndpoints<T>(
  deps: WorkflowDependencies,
  target: { source: SourceSpec; replica: ReplicaSpec; fqdn: string },
  refused: (refusal: Refusal) => WorkflowError,
  work: (endpoints: LoadEndpoints) => Promise<ActivityOutcome<T>>,
  isTransient?: (error: unknown) => boolean,
): Promise<ActivityOutcome<T>> {
  const endpoints = await loadEndpoints(deps, target.source, target.replica, target.fqdn);
  if (!endpoints.ok) return endpoints;
  return classifyErrors(endpoints.value.secrets, refused, () => work(endpoints.value), isTransient);
}
