// Every retry policy of the workflow, in one place, with units in the names.
import { RetryOptions } from "durable-functions";

function policy(
  firstRetryIntervalMs: number,
  maxNumberOfAttempts: number,
  backoffCoefficient: number,
  maxRetryIntervalMs: number,
) {
  const options = new RetryOptions(firstRetryIntervalMs, maxNumberOfAttempts);
  options.backoffCoefficient = backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = maxRetryIntervalMs;
  // No retryTimeout on purpose: a passed timeout makes the host stop without a timer and the JS side waits forever (durable-js #629).
  return options;
}

/** Resource Manager calls: throttling (429) and 5xx. The SDK's own retries are off, so this is the only layer. */
export const ARM_RETRY = policy(5_000, 5, 2, 60_000);

/** MySQL sessions: a restarting server, a dropped connection, DNS hiccups. */
export const MYSQL_RETRY = policy(3_000, 4, 2, 30_000);

/** Compensation must try hard: it is what keeps a failed run from leaving things half-done. */
export const ROLLBACK_RETRY = policy(5_000, 6, 2, 60_000);

/**
 * The initial copy: each attempt starts again from a new snapshot (a read view cannot outlive its connection), so few
 * attempts, spaced for a source restart or a replica failover to finish.
 */
export const LOAD_RETRY = policy(10_000, 4, 2, 60_000);

/** Registry writes (Table storage). */
export const REGISTRY_RETRY = policy(2_000, 5, 2, 30_000);

/**
 * The orchestrator's polling of a starting replication: the ceiling of its interval, in milliseconds (the first is
 * START_VERIFY_FIRST_INTERVAL_SECONDS, doubled each time). One polling layer: the checkReplication activity reads once
 * and returns, the orchestrator re-calls it on durable timers up to START_VERIFY_BUDGET_SECONDS, so no worker is held
 * while replication comes up. Its MYSQL_RETRY only retries a read that failed, not a state that is not there yet.
 */
export const START_POLL_MAX_INTERVAL_MS = 60_000;

/** The health probe: the next pass comes within a minute, so one quick retry of a batch (Table storage hiccups) only. */
export const PROBE_RETRY = policy(1_000, 2, 2, 5_000);
