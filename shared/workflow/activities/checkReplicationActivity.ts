// Activity: optionally start replication, then read the replica's replication state once and judge it.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { activity } from "./activityHandler";
import { outcomeSchema, succeeded } from "./activityOutcome";
import { redactStatus, replicaSessionInputSchema, withReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { replicationSummarySchema, summariseReplication } from "../provisionTypes";
import {
  type AppliedPosition,
  type ReplicationVerdict,
  appliedPosition,
  judgeStart,
  readReplicationStatus,
} from "../../replica/replicationStatus";
import { callStart } from "../../replica/replicaSql";
import { isPermanentReplicationError } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const CHECK_REPLICATION_ACTIVITY = "checkReplication";

/**
 * A link found behind with nothing applied since the previous check is watched for at most this window, ending at
 * the first applied event: whether the SQL thread applies is a rate, measured over real time. It is a measurement,
 * not a wait for a state (the orchestrator's timers are that), and it keeps the verdict right where orchestration time
 * runs faster than the replica's (a test host that skips its timers ahead).
 */
const APPLY_SAMPLE_MS = 1_000;
const APPLY_SAMPLE_STEP_MS = 100;

const appliedPositionSchema: z.ZodType<AppliedPosition> = z.object({
  file: z.string(),
  position: z.number(),
});

/**
 * One check per execution (for a link behind, its apply rate over at most a second): the orchestrator's durable timers
 * are the only wait for replication to come up (no worker held while waiting).
 * `appliedBefore` is the previous read's applied position, so a link behind but applying counts as running.
 */
export const checkReplicationInputSchema = replicaSessionInputSchema.extend({
  start: z.boolean(),
  appliedBefore: appliedPositionSchema.nullable().optional(),
});
export type CheckReplicationInput = z.infer<typeof checkReplicationInputSchema>;

const verdictSchema: z.ZodType<ReplicationVerdict> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("running") }),
  z.object({ kind: z.literal("waiting"), reason: z.string() }),
  z.object({ kind: z.literal("catchingUp"), reason: z.string() }),
  z.object({ kind: z.literal("transientError"), errno: z.number(), message: z.string() }),
  z.object({
    kind: z.literal("permanentError"),
    thread: z.enum(["io", "sql"]),
    errno: z.number(),
    message: z.string(),
  }),
  z.object({ kind: z.literal("stopped"), reason: z.string() }),
]);
export const checkReplicationResultSchema = outcomeSchema(
  z.object({
    verdict: verdictSchema,
    replication: replicationSummarySchema,
    // Null when the server reports none; absent in results recorded before it existed (an in-flight run's history).
    applied: appliedPositionSchema.nullable().default(null),
  }),
);
export type CheckReplicationResult = z.infer<typeof checkReplicationResultSchema>;

export function createCheckReplicationActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: CHECK_REPLICATION_ACTIVITY,
    input: checkReplicationInputSchema,
    run: (input): Promise<CheckReplicationResult> =>
      withReplicaSession(
        deps(),
        input,
        ({ message }) => ({
          code: "REPLICA_ACCESS_FAILED",
          message: `Reading the replica's replication status failed: ${message}`,
          remedy:
            "Check the replica admin account and that the mysql.az_replication_* procedures are available.",
        }),
        async ({ session, identity, adminPassword }) => {
          if (input.start) await callStart(session);
          let status = await readReplicationStatus(session, identity);
          let verdict = judgeStart(status, input.appliedBefore ?? null, isPermanentReplicationError);
          const before = appliedPosition(status);
          const sampleEnds = Date.now() + APPLY_SAMPLE_MS;
          while (verdict.kind === "catchingUp" && Date.now() < sampleEnds) {
            await sleep(APPLY_SAMPLE_STEP_MS);
            status = await readReplicationStatus(session, identity);
            verdict = judgeStart(status, before, isPermanentReplicationError);
          }
          return succeeded({
            verdict:
              "message" in verdict
                ? { ...verdict, message: redactSecrets(verdict.message, [adminPassword]) }
                : verdict,
            replication: summariseReplication(redactStatus(status, [adminPassword])),
            applied: appliedPosition(status),
          });
        },
      ),
  });
}
