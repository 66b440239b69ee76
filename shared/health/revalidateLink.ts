// Re-validates one registered link: replica state, tier and network, firewall rule, threads, lag, source drift; recovers what is safe.
import { IGNORE_TABLE_PARAMETER, parseIgnoreValue, sameIgnoreValue } from "../request/tableFilters";
import { replicaAdminPurpose, sourcePurpose } from "../secrets/secretBinding";
import { setTimeout as sleep } from "node:timers/promises";
// Aliased so this file's signatures stay as they were; the type lives in shared/health (no health -> workflow import).
import { type RevalidationDependencies as WorkflowDependencies } from "./revalidationDependencies";
import { type LinkRecord, type LinkRegistry, type SkipRule } from "../registry/linkRegistry";
import {
  type DriftFinding,
  type HealthState,
  type LinkHealth,
  type RecoveryAction,
  type ActionNotTaken,
  type ThreadError,
} from "./linkHealth";
import { judgeSourceAddress, pinSourceAddress } from "../source/sourceAddress";
import { validateSource } from "../source/sourceValidation";
import {
  MysqlSession,
  cellText,
  readGlobalVariables,
  readServerIdentity,
  type ServerIdentity,
} from "../mysql/mysqlSession";
import { replicaEndpoint, callSkipCounter, callSkipGtidTransaction, callStart } from "../replica/replicaSql";
import { type ReplicationStatus, readReplicationStatus } from "../replica/replicationStatus";
import { diagnoseReplicationError, isPermanentReplicationError } from "../errors/mysqlErrors";
import { redactSecrets } from "../secrets/secretResolver";
import { isTransientServiceError } from "../errors/serviceErrors";
import { type ReplicaManager } from "../replica/replicaManager";
import { hasHighAvailability } from "../domain/linkingChoice";
import { sourceFirewallInstruction } from "../domain/firewall";
import { allowedTiersSetting, replicaNetworkVerdict } from "../domain/replicaPolicy";

const RESTART_ATTEMPTS = 3;
const RESTART_FIRST_BACKOFF_MS = 1_000;
const THREAD_WAIT_MS = 5_000;
const DEGRADED_LAG_SECONDS = 300;
/** Source checks whose failure is drift rather than a broken link (address checks depend on where this app runs). */
const SOURCE_DRIFT_IGNORED = new Set(["SOURCE_ADDRESS", "SYSTEM_SCHEMA_NOT_REPLICATED"]);

function threadError(errno: number, message: string): ThreadError | null {
  if (!errno) return null;
  const diagnosis = diagnoseReplicationError(errno, message);
  return { errno, message, diagnosis: diagnosis.message, remedy: diagnosis.remedy };
}

async function waitForThreads(
  session: MysqlSession,
  identity: ServerIdentity,
  done: (status: ReplicationStatus) => boolean,
): Promise<ReplicationStatus> {
  const deadline = Date.now() + THREAD_WAIT_MS;
  for (;;) {
    const status = await readReplicationStatus(session, identity);
    if (done(status) || Date.now() >= deadline) return status;
    await sleep(200);
  }
}

interface Collected {
  drift: DriftFinding[];
  recovery: RecoveryAction[];
  notTaken: ActionNotTaken[];
  secrets: string[];
  /** The replica's delegated subnet when it is a VNet-integrated Flexible Server: a private source is then fine. */
  vnetSubnet: string | null;
}

async function checkResourceManager(
  deps: WorkflowDependencies,
  record: LinkRecord,
  manager: ReplicaManager,
  out: Collected,
): Promise<string | null> {
  const server = await manager.getServer();
  if (!server) {
    out.drift.push({
      code: "REPLICA_MISSING",
      message: `Replica server ${record.serverName} no longer exists.`,
      remedy: "Delete this link (DELETE /api/replications/{id}).",
    });
    return null;
  }
  if (server.state !== "Ready") {
    out.drift.push({
      code: "REPLICA_NOT_READY",
      message: `The replica is ${server.state || "in an unknown state"}, not Ready.`,
      remedy: "Start the server or wait for its operation to finish.",
    });
  }
  const allowed: readonly string[] =
    record.kind === "single"
      ? deps.config.SINGLE_SERVER_ALLOWED_TIERS
      : deps.config.FLEXIBLE_SERVER_ALLOWED_TIERS;
  if (!allowed.includes(server.tier)) {
    // Basic Single Server is the one tier Azure itself refuses for data-in replication; every other refusal is the
    // app's policy (its allowed-tier setting) and is named as such.
    const azureRefuses = record.kind === "single" && server.tier === "Basic";
    const setting = allowedTiersSetting(record.kind);
    out.drift.push({
      code: "REPLICA_TIER",
      message: `The replica's tier is now ${server.tier} (${server.skuName}); ${
        azureRefuses
          ? "Azure does not support data-in replication on Basic Single Servers"
          : `this app's policy (${setting}) allows ${allowed.join(", ")}`
      }.`,
      remedy: azureRefuses
        ? "Restore the replica into a General Purpose or Memory Optimized server and link that one (a Basic server cannot be scaled up)."
        : `Scale the replica back to ${allowed.join(" or ")}, or, if ${server.tier} is a deliberate choice, add it to the app setting ${setting}.`,
    });
  }
  const network = server.kind === "flexible" ? replicaNetworkVerdict(server) : "public";
  if (network === "vnetIntegrated") out.vnetSubnet = server.delegatedSubnetResourceId;
  if (network === "privateEndpointOnly") {
    // VNet integration also reads Disabled, and is supported: only a private endpoint without public access is not.
    out.drift.push({
      code: "REPLICA_PUBLIC_ACCESS_DISABLED",
      message:
        "The replica's public network access is now disabled and it has no VNet integration (private endpoint access only); data-in replication is not supported there.",
      remedy: "Enable public network access on the replica again, or delete this link.",
    });
  }
  if (hasHighAvailability(server) && record.linking !== "gtid") {
    out.drift.push({
      code: "REPLICA_HA_NEEDS_GTID",
      message: `High availability (${server.highAvailabilityMode}) is now on for the replica, which supports data-in replication by GTID only, and this link uses binlog file/position.`,
      remedy: "Disable high availability, or delete this link and provision again with linking: gtid.",
    });
  }
  if (record.tableFilters) {
    const filter = record.tableFilters;
    const parameter = await manager.getServerParameter(IGNORE_TABLE_PARAMETER);
    const now = parameter?.value ?? "";
    // Reported, not repaired: someone changed it on purpose or by mistake, and only they know which.
    if (!sameIgnoreValue(now, filter.value)) {
      out.drift.push({
        code: "REPLICATION_FILTER_CHANGED",
        message: `The replica's ${IGNORE_TABLE_PARAMETER} is ${now || "empty"}, not the ${filter.value} this link set (filters.ignoreTables ${filter.ignoreTables.join(", ")}): ${
          filter.ignoreTables.every((pattern) =>
            parseIgnoreValue(now).some((item) => item.toLowerCase() === pattern.toLowerCase()),
          )
            ? "other patterns were added, so more tables are left out than asked."
            : "tables meant to be left out are replicated again."
        }`,
        remedy: `Set ${IGNORE_TABLE_PARAMETER} back to ${filter.value} (portal, az mysql ... parameter set), or provision the link again with the filters you want now.`,
      });
    }
  }
  if (record.firewallRuleName && manager.firewallDirection === "replicaAdmitsSource") {
    const address = await judgeSourceAddress(record.sourceHost, {
      allowPrivate: deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
    });
    // A refused address never goes into a firewall rule; the recorded one stays.
    const wanted = address.connectTo ?? record.sourceIpv4;
    const rule = await manager.getFirewallRule(record.firewallRuleName);
    if (!rule || (wanted && rule.startIpAddress !== wanted)) {
      out.drift.push(
        !rule
          ? {
              code: "FIREWALL_RULE_MISSING",
              message: `Firewall rule ${record.firewallRuleName} is gone from the replica.`,
              remedy: "Re-validation recreates it.",
            }
          : {
              code: "SOURCE_ADDRESS_CHANGED",
              message: `The source now resolves to ${wanted}, but rule ${record.firewallRuleName} admits ${rule.startIpAddress}.`,
              remedy: "Re-validation updates the rule.",
            },
      );
      if (wanted) {
        try {
          await manager.putFirewallRule(record.firewallRuleName, wanted);
          out.recovery.push({
            action: "recreateFirewallRule",
            outcome: "done",
            detail: `${record.firewallRuleName} for ${wanted}`,
          });
        } catch (error) {
          out.recovery.push({
            action: "recreateFirewallRule",
            outcome: "failed",
            detail: (error as Error).message,
          });
        }
      }
    }
    return wanted;
  }
  return record.sourceIpv4;
}

/**
 * Counts one skip of `errno` on the link's row before it is made, under optimistic concurrency: two passes racing on
 * the same error cannot both stay under the maximum. Returns the count including this skip, or null when the policy
 * is used up (or the link is no longer active) and nothing may be skipped.
 */
async function reserveSkip(registry: LinkRegistry, id: string, rule: SkipRule): Promise<number | null> {
  const key = String(rule.errno);
  const written = await registry.update(id, (current) => {
    const used = current.skipCounts[key] ?? 0;
    if (current.state !== "replicating" || used >= rule.maxSkips) return null;
    return { ...current, skipCounts: { ...current.skipCounts, [key]: used + 1 } };
  });
  return written ? (written.skipCounts[key] ?? 0) : null;
}

/**
 * Whether the link carries GTIDs, so a skip must name the transaction: an auto-positioned (GTID) link, or a replica
 * whose gtid_mode is ON (every HA replica; MySQL 5.7 refuses the skip counter there).
 */
async function linkUsesGtids(
  session: MysqlSession,
  record: LinkRecord,
  status: ReplicationStatus,
): Promise<boolean> {
  if (record.linking === "gtid" || status.usingGtid === "1") return true;
  const variables = await readGlobalVariables(session, ["gtid_mode"]);
  return (variables.get("gtid_mode") ?? "").toUpperCase() === "ON";
}

async function recoverThreads(
  registry: LinkRegistry,
  record: LinkRecord,
  session: MysqlSession,
  identity: ServerIdentity,
  initial: ReplicationStatus,
  out: Collected,
): Promise<ReplicationStatus> {
  let status = initial;
  if (status.lastSqlErrno !== 0 && status.sqlRunning !== "Yes") {
    const errno = status.lastSqlErrno;
    const rule = record.skipPolicy.find((item) => item.errno === errno);
    const gtids = rule ? await linkUsesGtids(session, record, status) : false;
    // A GTID link can only skip the transaction it names; without its GTID nothing is skipped (and nothing counted).
    const unnamed = gtids && !status.failedTransactionGtid;
    const reserved = rule && !unnamed ? await reserveSkip(registry, record.id, rule) : null;
    if (!rule) {
      out.notTaken.push({
        action: "skipSqlError",
        reason: `SQL error ${errno} is not in this link's skip policy: skipping would hide data drift, so it is left to an operator.`,
      });
    } else if (unnamed) {
      out.notTaken.push({
        action: "skipSqlError",
        reason: `SQL error ${errno} is on a link with GTIDs on, and the replica does not name the failing transaction's GTID (performance_schema.replication_applier_status_by_worker): skip it by hand with CALL mysql.az_replication_skip_gtid_transaction('<uuid:n>').`,
      });
    } else if (reserved === null) {
      out.notTaken.push({
        action: "skipSqlError",
        reason: `SQL error ${errno} has already been skipped ${rule.maxSkips} time(s), the policy's maximum.`,
      });
    } else {
      const skipped = status.lastSqlError;
      const used = reserved - 1;
      const gtid = gtids ? status.failedTransactionGtid : null;
      // Counted before the call: a skip that then fails still counts, so the maximum is never exceeded.
      if (gtid) await callSkipGtidTransaction(session, gtid);
      else await callSkipCounter(session);
      status = await waitForThreads(session, identity, (s) => s.sqlRunning === "Yes" || s.lastSqlErrno !== 0);
      out.recovery.push({
        action: "skipSqlError",
        outcome: status.sqlRunning === "Yes" || status.lastSqlError !== skipped ? "done" : "failed",
        detail: gtid
          ? `skipped transaction ${gtid} with az_replication_skip_gtid_transaction (${used + 1}/${rule.maxSkips} for error ${errno}): ${skipped}`
          : `skipped one event (${used + 1}/${rule.maxSkips} for error ${errno}): ${skipped}`,
      });
    }
  }
  if (status.ioRunning === "No" && status.lastIoErrno !== 0) {
    if (isPermanentReplicationError(status.lastIoErrno)) {
      out.notTaken.push({
        action: "restartIoThread",
        reason: `IO error ${status.lastIoErrno} is permanent; restarting would fail the same way.`,
      });
    } else {
      let backoffMs = RESTART_FIRST_BACKOFF_MS;
      for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt += 1) {
        await callStart(session);
        status = await waitForThreads(session, identity, (s) => s.ioRunning === "Yes");
        if (status.ioRunning === "Yes") {
          out.recovery.push({
            action: "restartIoThread",
            outcome: "done",
            detail: `IO thread running after attempt ${attempt}`,
          });
          break;
        }
        if (attempt === RESTART_ATTEMPTS) {
          out.recovery.push({
            action: "restartIoThread",
            outcome: "failed",
            detail: `IO thread still ${status.ioRunning} after ${RESTART_ATTEMPTS} attempts (error ${status.lastIoErrno})`,
          });
        } else {
          await sleep(backoffMs);
          backoffMs *= 2;
        }
      }
    }
  } else if (status.ioRunning === "Connecting") {
    out.notTaken.push({
      action: "restartIoThread",
      reason: "The IO thread is reconnecting on its own (Connecting); nothing to restart.",
    });
  }
  return status;
}

async function measureHeartbeat(
  deps: WorkflowDependencies,
  record: LinkRecord,
  replica: MysqlSession,
  out: Collected,
): Promise<number | null> {
  if (!record.heartbeat) return null;
  const password = await deps.secrets.resolve(
    record.heartbeat.writerPassword,
    sourcePurpose(
      "heartbeat.writerPassword",
      "heartbeat-writer",
      { host: record.sourceHost, port: record.sourcePort },
      record.heartbeat.writerUser,
    ),
  );
  out.secrets.push(password);
  const table = `\`${record.heartbeat.database}\`.\`replication_heartbeat\``;
  const writer = await MysqlSession.open({
    host: await pinSourceAddress(
      record.sourceHost,
      deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
      out.vnetSubnet,
    ),
    port: record.sourcePort,
    user: record.heartbeat.writerUser,
    password,
    tls: record.caCertificate ? { ca: record.caCertificate } : false,
    connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  });
  let written: string;
  try {
    await writer.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id TINYINT PRIMARY KEY, beat_at DATETIME(6) NOT NULL)`,
    );
    const [row] = await writer.query("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f') AS now");
    written = cellText(row?.now);
    await writer.query(`REPLACE INTO ${table} (id, beat_at) VALUES (1, ?)`, [written]);
  } finally {
    await writer.close();
  }
  const writtenAt = new Date(`${written.replace(" ", "T")}Z`).getTime();
  const deadline = Date.now() + THREAD_WAIT_MS;
  for (;;) {
    let seen: string | null = null;
    try {
      const [row] = await replica.query(
        `SELECT DATE_FORMAT(beat_at, '%Y-%m-%d %H:%i:%s.%f') AS beat FROM ${table} WHERE id = 1`,
      );
      seen = row?.beat ? cellText(row.beat) : null;
    } catch {
      seen = null;
    }
    if (seen === written) return Math.max(0, (Date.now() - writtenAt) / 1000);
    if (Date.now() >= deadline) {
      // The new beat has not arrived: the lag is at least the age of the newest beat the replica has.
      return seen ? (Date.now() - new Date(`${seen.replace(" ", "T")}Z`).getTime()) / 1000 : null;
    }
    await sleep(200);
  }
}

function judge(status: ReplicationStatus | null, drift: DriftFinding[], lag: number | null): HealthState {
  if (!status) return "unknown";
  if (!status.configured || status.ioRunning !== "Yes" || status.sqlRunning !== "Yes") return "broken";
  if (drift.length > 0 || (lag !== null && lag > DEGRADED_LAG_SECONDS)) return "degraded";
  return "healthy";
}

/**
 * The heartbeat measures real lag: a row written on the source now and read on the replica. Seconds_Behind_Source
 * can read 0 while the replica is hours behind (it only compares the event being applied with the clock), so a lag
 * over the threshold is a finding of its own and degrades the link.
 */
function heartbeatLagFinding(lagSeconds: number | null, thresholdSeconds: number): DriftFinding | null {
  if (lagSeconds === null || lagSeconds <= thresholdSeconds) return null;
  return {
    code: "HEARTBEAT_LAG",
    message: `The replica is ${Math.round(lagSeconds)} s behind the source by the heartbeat (threshold ${thresholdSeconds} s, HEARTBEAT_LAG_THRESHOLD_SECONDS), whatever Seconds_Behind_Source says.`,
    remedy:
      "Look for replication filters, a stalled applier or long transactions on the replica, and at the source's write load; raise HEARTBEAT_LAG_THRESHOLD_SECONDS if this lag is acceptable.",
  };
}

/** Checks one link and records its health; returns null when the link is not an active one. */
export async function revalidateLink(
  deps: WorkflowDependencies,
  id: string,
  checkedAt: string,
): Promise<LinkHealth | null> {
  const record = await deps.registry.get(id);
  if (!record || record.state !== "replicating") return null;
  const out: Collected = { drift: [], recovery: [], notTaken: [], secrets: [], vnetSubnet: null };
  const manager = deps.replicaManager(record);
  let status: ReplicationStatus | null = null;
  let heartbeatLag: number | null = null;
  let sourceIpv4 = record.sourceIpv4;

  try {
    sourceIpv4 = await checkResourceManager(deps, record, manager, out);
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

  try {
    const adminPassword = await deps.secrets.resolve(record.adminPassword, replicaAdminPurpose(record));
    out.secrets.push(adminPassword);
    const login = manager.adminLogin(record.adminUser);
    const session = await MysqlSession.open(
      replicaEndpoint(deps.config, record.replicaFqdn, login, adminPassword),
    );
    try {
      const identity = await readServerIdentity(session);
      status = await readReplicationStatus(session, identity);
      if (!status.configured) {
        out.drift.push({
          code: "LINK_MISSING",
          message: "The replica has no replication link any more.",
          remedy: "Provision again (POST the original request).",
        });
      } else {
        status = await recoverThreads(deps.registry, record, session, identity, status, out);
        try {
          heartbeatLag = await measureHeartbeat(deps, record, session, out);
        } catch (error) {
          out.drift.push({
            code: "HEARTBEAT_FAILED",
            message: `The heartbeat could not be written or read: ${(error as Error).message}`,
            remedy:
              "Check the heartbeat writer account and its CREATE/INSERT rights on the heartbeat database.",
          });
        }
      }
    } finally {
      await session.close();
    }
  } catch (error) {
    out.drift.push({
      code: "REPLICA_UNREACHABLE",
      message: `The replica's admin session failed: ${(error as Error).message}`,
      remedy:
        "Check the replica's availability, its firewall for this app's addresses, and the admin credentials.",
    });
  }

  try {
    const replicationPassword = await deps.secrets.resolve(
      record.replicationPassword,
      sourcePurpose(
        "source.replicationPassword",
        "source-replication",
        { host: record.sourceHost, port: record.sourcePort },
        record.replicationUser,
      ),
    );
    out.secrets.push(replicationPassword);
    const inspectionPassword = record.inspectionPassword
      ? await deps.secrets.resolve(
          record.inspectionPassword,
          sourcePurpose(
            "source.inspectionPassword",
            "source-inspection",
            { host: record.sourceHost, port: record.sourcePort },
            record.inspectionUser ?? "",
          ),
        )
      : undefined;
    if (inspectionPassword) out.secrets.push(inspectionPassword);
    const needed = status?.sourceLogFile
      ? { file: status.sourceLogFile, position: status.readSourceLogPos ?? 4 }
      : undefined;
    const validation = await validateSource({
      host: record.sourceHost,
      port: record.sourcePort,
      replicationUser: record.replicationUser,
      replicationPassword,
      ...(record.caCertificate ? { caCertificate: record.caCertificate } : {}),
      ...(record.inspectionUser && inspectionPassword
        ? { inspection: { user: record.inspectionUser, password: inspectionPassword } }
        : {}),
      ...(needed ? { binlog: needed } : {}),
      linking: record.linking,
      replicaKind: record.kind,
      ...(record.tableFilters ? { ignoreTables: record.tableFilters.ignoreTables } : {}),
      allowPrivateAddresses: deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
      replicaVnetSubnet: () => Promise.resolve(out.vnetSubnet),
      connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
    });
    for (const item of validation.checks) {
      if (item.status !== "fail" || SOURCE_DRIFT_IGNORED.has(item.code)) continue;
      if (item.code === "BINLOG_COORDINATES") {
        out.drift.push({
          code: "BINLOG_PURGED",
          message: `The binlog the replica still needs is gone from the source: ${item.message}`,
          remedy:
            "Re-seed the replica from a new dump and provision again; raise binlog retention on the source.",
        });
      } else {
        out.drift.push({
          code: item.code.startsWith("SOURCE_") ? item.code : `SOURCE_${item.code}`,
          message: item.message,
          remedy: item.remedy,
        });
      }
    }
  } catch (error) {
    out.drift.push({
      code: "SOURCE_CHECK_FAILED",
      message: `The source could not be re-validated: ${(error as Error).message}`,
      remedy: "Check the source's availability and the replication user's credentials.",
    });
  }

  if (status?.lastIoErrno === 2003 && manager.firewallDirection === "sourceAdmitsReplica") {
    out.drift.push({
      code: "SOURCE_FIREWALL_BLOCKS_REPLICA",
      message: `The replica cannot connect to the source ${record.sourceHost}:${record.sourcePort} (error 2003): the source's firewall must admit ${record.outboundAddress ?? "the replica's outbound address"}, which can change after a failover or scaling.`,
      remedy: sourceFirewallInstruction(record.replicaFqdn || null, record.outboundAddress ?? undefined),
    });
  }

  const heartbeatFinding = heartbeatLagFinding(heartbeatLag, deps.config.HEARTBEAT_LAG_THRESHOLD_SECONDS);
  if (heartbeatFinding) out.drift.push(heartbeatFinding);

  const redact = (text: string) => redactSecrets(text, out.secrets);
  const health: LinkHealth = {
    id,
    checkedAt,
    state: judge(status, out.drift, status?.secondsBehind ?? null),
    ioThread: status?.ioRunning ?? "Unknown",
    sqlThread: status?.sqlRunning ?? "Unknown",
    secondsBehindSource: status?.secondsBehind ?? null,
    heartbeatLagSeconds: heartbeatLag,
    lastIoError: status ? threadError(status.lastIoErrno, redact(status.lastIoError)) : null,
    lastSqlError: status ? threadError(status.lastSqlErrno, redact(status.lastSqlError)) : null,
    drift: out.drift.map((item) => ({ ...item, message: redact(item.message) })),
    recovery: out.recovery.map((item) => ({ ...item, detail: redact(item.detail) })),
    notTaken: out.notTaken,
  };
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
      ? {
          ...latest,
          sourceIpv4,
          lastHealth: {
            state: health.state,
            checkedAt: health.checkedAt,
            secondsBehindSource: health.secondsBehindSource,
            driftCodes: health.drift.map((item) => item.code),
          },
          updatedAt: health.checkedAt,
        }
      : null,
  );
  return written !== null;
}
