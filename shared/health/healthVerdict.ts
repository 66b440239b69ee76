// Pure: a link's health from what the pass found: the state's verdict, the lag and firewall findings, redacted errors.
import { sourceFirewallInstruction } from "../domain/firewall";
import { type LinkRecord } from "../registry/linkRegistry";
import { diagnoseReplicationError } from "../errors/mysqlErrors";
import { type ReplicationStatus } from "../replica/replicationStatus";
import { redactSecrets } from "../secrets/secretResolver";
import { type DriftFinding, type HealthState, type LinkHealth, type ThreadError } from "./linkHealth";
import { type RevalidationFindings } from "./revalidationFindings";

const DEGRADED_LAG_SECONDS = 300;
const CANNOT_CONNECT_ERRNO = 2003;

function threadError(errno: number, message: string): ThreadError | null {
  if (!errno) return null;
  const diagnosis = diagnoseReplicationError(errno, message);
  return { errno, message, diagnosis: diagnosis.message, remedy: diagnosis.remedy };
}

/** Broken when a thread is down or the link gone; degraded with any drift or Seconds_Behind_Source over 300 s. */
export function judgeHealth(
  status: ReplicationStatus | null,
  drift: readonly DriftFinding[],
  lagSeconds: number | null,
): HealthState {
  if (!status) return "unknown";
  if (!status.configured || status.ioRunning !== "Yes" || status.sqlRunning !== "Yes") return "broken";
  if (drift.length > 0 || (lagSeconds !== null && lagSeconds > DEGRADED_LAG_SECONDS)) return "degraded";
  return "healthy";
}

/**
 * The heartbeat measures real lag: a row written on the source now and read on the replica. Seconds_Behind_Source
 * can read 0 while the replica is hours behind (it only compares the event being applied with the clock), so a lag
 * over the threshold is a finding of its own and degrades the link.
 */
export function heartbeatLagFinding(
  lagSeconds: number | null,
  thresholdSeconds: number,
): DriftFinding | null {
  if (lagSeconds === null || lagSeconds <= thresholdSeconds) return null;
  return {
    code: "HEARTBEAT_LAG",
    message: `The replica is ${Math.round(lagSeconds)} s behind the source by the heartbeat (threshold ${thresholdSeconds} s, HEARTBEAT_LAG_THRESHOLD_SECONDS), whatever Seconds_Behind_Source says.`,
    remedy:
      "Look for replication filters, a stalled applier or long transactions on the replica, and at the source's write load; raise HEARTBEAT_LAG_THRESHOLD_SECONDS if this lag is acceptable.",
  };
}

/** Flexible Server connects out: error 2003 on its IO thread means the source's firewall (or route) refuses it. */
export function sourceFirewallFinding(
  status: ReplicationStatus | null,
  link: {
    source: Pick<LinkRecord["source"], "host" | "port">;
    replica: Pick<LinkRecord["replica"], "outboundAddress">;
    replicaFqdn: string;
  },
): DriftFinding | null {
  if (status?.lastIoErrno !== CANNOT_CONNECT_ERRNO) return null;
  const { outboundAddress } = link.replica;
  return {
    code: "SOURCE_FIREWALL_BLOCKS_REPLICA",
    message: `The replica cannot connect to the source ${link.source.host}:${link.source.port} (error 2003): the source's firewall must admit ${outboundAddress ?? "the replica's outbound address"}, which can change after a failover or scaling.`,
    remedy: sourceFirewallInstruction(link.replicaFqdn || null, outboundAddress),
  };
}

/** The pass's record: every message redacted of the secrets the pass resolved. */
export function assembleHealth(
  id: string,
  checkedAt: string,
  status: ReplicationStatus | null,
  heartbeatLagSeconds: number | null,
  out: RevalidationFindings,
): LinkHealth {
  const redact = (text: string) => redactSecrets(text, out.secrets);
  return {
    id,
    checkedAt,
    state: judgeHealth(status, out.drift, status?.secondsBehind ?? null),
    ioThread: status?.ioRunning ?? "Unknown",
    sqlThread: status?.sqlRunning ?? "Unknown",
    secondsBehindSource: status?.secondsBehind ?? null,
    heartbeatLagSeconds,
    lastIoError: status ? threadError(status.lastIoErrno, redact(status.lastIoError)) : null,
    lastSqlError: status ? threadError(status.lastSqlErrno, redact(status.lastSqlError)) : null,
    drift: out.drift.map((item) => ({ ...item, message: redact(item.message) })),
    recovery: out.recovery.map((item) => ({ ...item, detail: redact(item.detail) })),
    notTaken: out.notTaken,
  };
}
