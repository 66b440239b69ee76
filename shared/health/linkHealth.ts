// The health of one replication link as re-validation records it: threads, errors, lag, drift and recovery.
export type HealthState = "healthy" | "degraded" | "broken" | "unknown";

export interface ThreadError {
  errno: number;
  message: string;
  diagnosis: string;
  remedy: string;
}

export interface DriftFinding {
  code: string;
  message: string;
  remedy: string;
}

export interface RecoveryAction {
  action: "recreateFirewallRule" | "restartIoThread" | "skipSqlError";
  outcome: "done" | "failed";
  detail: string;
}

export interface ActionNotTaken {
  action: string;
  reason: string;
}

export interface LinkHealth {
  id: string;
  checkedAt: string;
  state: HealthState;
  ioThread: string;
  sqlThread: string;
  /** Seconds_Behind_Master/Source; null is unknown (a thread is down or the replica unreachable), never 0. */
  secondsBehindSource: number | null;
  heartbeatLagSeconds: number | null;
  lastIoError: ThreadError | null;
  lastSqlError: ThreadError | null;
  drift: DriftFinding[];
  recovery: RecoveryAction[];
  notTaken: ActionNotTaken[];
}

export function summariseHealth(
  health: Pick<LinkHealth, "state" | "checkedAt" | "secondsBehindSource" | "drift">,
): Pick<LinkHealth, "state" | "checkedAt" | "secondsBehindSource"> & {
  driftCodes: string[];
} {
  return {
    state: health.state,
    checkedAt: health.checkedAt,
    secondsBehindSource: health.secondsBehindSource,
    driftCodes: health.drift.map((item) => item.code),
  };
}
