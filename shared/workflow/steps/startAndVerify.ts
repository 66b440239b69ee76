// Step: start replication, then read it on durable timers until it runs, shows a permanent error, or the budget ends.
import type * as df from "durable-functions";
import { MYSQL_RETRY, START_POLL_MAX_INTERVAL_MS } from "../retryPolicies";
import { type ReplicaSpec, type ReplicationSummary, type WorkflowError } from "../provisionTypes";
import { type ProvisionTiming } from "../provisionOrchestrator";
import {
  CHECK_REPLICATION_ACTIVITY,
  type CheckReplicationInput,
  checkReplicationResultSchema,
} from "../activities/checkReplicationActivity";
import { StepFailed, callActivity, valueOf } from "./callActivity";
import { type AppliedPosition } from "../../replica/replicationStatus";

export interface StartAndVerifyOptions {
  replica: ReplicaSpec;
  fqdn: string;
  timing: ProvisionTiming;
  /** What "could not start or watch" is called in the error. */
  unavailableMessage: string;
  /** The error for a replication error: a permanent one always, a transient one at the deadline when given. */
  diagnose: (errno: number, message: string) => WorkflowError;
  diagnoseTransientAtDeadline: boolean;
  /** Each status read, as the report shows it. */
  onReplication: (replication: ReplicationSummary) => void;
  /** Before the first durable wait (the provisioning's "verifying" step). */
  onWait?: () => void;
}

/**
 * Ends normally once replication runs; throws StepFailed otherwise. The only polling layer of a start: each check
 * reads once, the first right after the start, and the waits between are durable timers (first interval, doubling up
 * to START_POLL_MAX_INTERVAL_MS), so no worker is held while replication comes up.
 */
export function* startAndVerify(
  context: df.OrchestrationContext,
  options: StartAndVerifyOptions,
): Generator<df.Task, void, unknown> {
  const { timing } = options;
  const now = () => context.df.currentUtcDateTime.getTime();
  const deadline = now() + timing.verifyBudgetSeconds * 1000;
  let intervalMs = timing.verifyFirstIntervalSeconds * 1000;
  let start = true;
  let appliedBefore: AppliedPosition | null = null;
  for (;;) {
    const input: CheckReplicationInput = {
      replica: options.replica,
      fqdn: options.fqdn,
      start,
      appliedBefore,
    };
    const checked = yield* callActivity(
      context,
      { name: CHECK_REPLICATION_ACTIVITY, policy: MYSQL_RETRY, input, schema: checkReplicationResultSchema },
      (reason) => ({
        code: "START_FAILED",
        message: `${options.unavailableMessage}: ${reason}`,
        remedy: "Check that the replica is reachable from this app.",
      }),
    );
    const { verdict, replication, applied } = valueOf(checked);
    start = false;
    appliedBefore = applied;
    options.onReplication(replication);
    if (verdict.kind === "running") return;
    if (verdict.kind === "permanentError")
      throw new StepFailed(options.diagnose(verdict.errno, verdict.message));
    if (now() + intervalMs > deadline) {
      const detail =
        options.diagnoseTransientAtDeadline && verdict.kind === "transientError"
          ? options.diagnose(verdict.errno, verdict.message)
          : null;
      throw new StepFailed({
        code: detail?.code ?? "START_TIMEOUT",
        message: `Replication did not reach a running state within ${timing.verifyBudgetSeconds} s: ${
          detail ? detail.message : "reason" in verdict ? verdict.reason : verdict.message
        }`,
        remedy: detail?.remedy ?? "Look at the replica's IO and SQL thread states in replication.",
      });
    }
    options.onWait?.();
    yield context.df.createTimer(new Date(now() + intervalMs));
    intervalMs = Math.min(intervalMs * 2, START_POLL_MAX_INTERVAL_MS);
  }
}
