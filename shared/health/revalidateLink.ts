// Re-validates one registered link: replica state, tier and network, firewall rule, threads, lag, source drift; recovers what is safe.
import { type LinkRegistry } from "../registry/linkRegistry";
import { replicaAdminPurpose } from "../secrets/secretBinding";
import { MysqlSession, readServerIdentity } from "../mysql/mysqlSession";
import { replicaEndpoint } from "../replica/replicaSql";
import { type ReplicationStatus, readReplicationStatus } from "../replica/replicationStatus";
import { type ReplicaManager } from "../replica/replicaManager";
import { type LinkRecord } from "../registry/linkRegistry";
import { isTransientSdkError, isTransientServiceError } from "../errors/serviceErrors";
import { type LinkHealth, summariseHealth } from "./linkHealth";
import { type RevalidationDependencies } from "./revalidationDependencies";
import { type RevalidationFindings, emptyFindings } from "./revalidationFindings";
import { resourceManagerDrift } from "./resourceManagerDrift";
import { recoverThreads } from "./recoverThreads";
import { measureHeartbeat } from "./measureHeartbeat";
import { sourceDrift } from "./sourceDrift";
import { assembleHealth, heartbeatLagFinding, sourceFirewallFinding } from "./healthVerdict";

interface ReplicaReading {
  status: ReplicationStatus | null;
  heartbeatLagSeconds: number | null;
}

/**
 * The replica's side: its replication status, the safe recoveries, and the heartbeat's lag, written into `reading` as
 * they are learnt, so a failure part-way still reports the status read before it.
 */
async function checkReplica(
  deps: RevalidationDependencies,
  record: LinkRecord,
  manager: ReplicaManager,
  out: RevalidationFindings,
  reading: ReplicaReading,
): Promise<void> {
  const adminPassword = await deps.secrets.resolve(
    record.replica.adminPassword,
    replicaAdminPurpose(record.replica),
  );
  out.secrets.push(adminPassword);
  const login = manager.adminLogin(record.replica.adminUser);
  const session = await MysqlSession.open(
    replicaEndpoint(deps.config, record.replicaFqdn, login, adminPassword),
  );
  try {
    const identity = await readServerIdentity(session);
    reading.status = await readReplicationStatus(session, identity);
    if (!reading.status.configured) {
      out.drift.push({
        code: "LINK_MISSING",
        message: "The replica has no replication link any more.",
        remedy: "Provision again (POST the original request).",
      });
      return;
    }
    reading.status = await recoverThreads(deps.registry, record, session, identity, reading.status, out);
    try {
      reading.heartbeatLagSeconds = await measureHeartbeat(deps, record, session, out);
    } catch (error) {
      out.drift.push({
        code: "HEARTBEAT_FAILED",
        message: `The heartbeat could not be written or read: ${(error as Error).message}`,
        remedy: "Check the heartbeat writer account and its CREATE/INSERT rights on the heartbeat database.",
      });
    }
  } finally {
    await session.close();
  }
}

/** Checks one link and records its health; returns null when the link is not an active one. */
export async function revalidateLink(
  deps: RevalidationDependencies,
  id: string,
  checkedAt: string,
): Promise<LinkHealth | null> {
  const record = await deps.registry.get(id);
  if (!record || record.state !== "replicating") return null;
  const out = emptyFindings();
  const manager = deps.replicaManager(record.replica);

  let sourceIpv4 = record.sourceIpv4;
  try {
    sourceIpv4 = await resourceManagerDrift(deps, record, manager, out);
  } catch (error) {
    // A throttled or failing Resource Manager is retried (the activity throws it to its retry policy); a refusal
    // (403, a deleted subscription) is what this pass reports.
    if (isTransientServiceError(error)) throw error;
    out.drift.push({
      code: "ARM_UNAVAILABLE",
      message: `Resource Manager could not be read: ${(error as Error).message}`,
      remedy:
        "A 403 means the app lost its role on the server (the custom role of infra/); check the subscription and resource group too.",
    });
  }

  const replica: ReplicaReading = { status: null, heartbeatLagSeconds: null };
  try {
    await checkReplica(deps, record, manager, out, replica);
  } catch (error) {
    // A skip counted on the registry row failed in Table storage, not on the replica: the activity's retry policy
    // retries it (the Table clients under activities do not retry by themselves).
    if (isTransientSdkError(error)) throw error;
    out.drift.push({
      code: "REPLICA_UNREACHABLE",
      message: `The replica's admin session failed: ${(error as Error).message}`,
      remedy:
        "Check the replica's availability, its firewall for this app's addresses, and the admin credentials.",
    });
  }

  try {
    await sourceDrift(deps, record, replica.status, out);
  } catch (error) {
    out.drift.push({
      code: "SOURCE_CHECK_FAILED",
      message: `The source could not be re-validated: ${(error as Error).message}`,
      remedy: "Check the source's availability and the replication user's credentials.",
    });
  }

  const firewall =
    manager.firewallDirection === "sourceAdmitsReplica"
      ? sourceFirewallFinding(replica.status, record)
      : null;
  if (firewall) out.drift.push(firewall);
  const lag = heartbeatLagFinding(replica.heartbeatLagSeconds, deps.config.HEARTBEAT_LAG_THRESHOLD_SECONDS);
  if (lag) out.drift.push(lag);

  const health = assembleHealth(id, checkedAt, replica.status, replica.heartbeatLagSeconds, out);
  await deps.healthHistory.append(health, deps.config.HEALTH_HISTORY_LENGTH);
  await recordHealthSummary(deps.registry, id, sourceIpv4, health);
  return health;
}

/**
 * Writes the pass's summary on the link's row, only while the link is active: under the registry's optimistic
 * concurrency a teardown that lands in between (state removed) makes this give up instead of writing replicating back.
 */
export async function recordHealthSummary(
  registry: LinkRegistry,
  id: string,
  sourceIpv4: string | null,
  health: Pick<LinkHealth, "state" | "checkedAt" | "secondsBehindSource" | "drift">,
): Promise<boolean> {
  const written = await registry.update(id, (latest) =>
    latest.state === "replicating"
      ? { ...latest, sourceIpv4, lastHealth: summariseHealth(health), updatedAt: health.checkedAt }
      : null,
  );
  return written !== null;
}
