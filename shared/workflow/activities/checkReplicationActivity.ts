// Activity: optionally start replication, then watch the replica for a bounded time until it runs or shows an error.
import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { activity } from "./activityHandler";
import { outcomeSchema, succeeded } from "./activityOutcome";
import { redactStatus, replicaSessionInputSchema, withReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { replicationSummarySchema, summariseReplication } from "../provisionTypes";
import {
  type ReplicationStatus,
  type ReplicationVerdict,
  appliedBetween,
  appliedPosition,
  judgeReplication,
  readReplicationStatus,
} from "../../replica/replicationStatus";
import { callStart } from "../../replica/replicaSql";
import { isPermanentReplicationError } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const CHECK_REPLICATION_ACTIVITY = "checkReplication";

// A start is judged within a second or two (the IO thread reaches "Waiting for source to send event"): poll closely.
const POLL_INTERVAL_MS = 100;

export const checkReplicationInputSchema = replicaSessionInputSchema.extend({
  start: z.boolean(),
  /** How long to watch inside this execution; the orchestrator's durable timers cover longer waits. */
  waitSeconds: z.number().nonnegative(),
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
  z.object({ verdict: verdictSchema, replication: replicationSummarySchema }),
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
          const deadline = Date.now() + input.waitSeconds * 1000;
          let previous: ReplicationStatus | undefined;
          for (;;) {
            const status = await readReplicationStatus(session, identity);
            let verdict = judgeReplication(status, isPermanentReplicationError);
            if (
              verdict.kind === "catchingUp" &&
              previous &&
              appliedBetween(appliedPosition(previous), appliedPosition(status))
            ) {
              verdict = { kind: "running" };
            }
            previous = status;
            if (verdict.kind === "running" || verdict.kind === "permanentError" || Date.now() >= deadline) {
              const replication = summariseReplication(redactStatus(status, [adminPassword]));
              return succeeded({
                verdict:
                  "message" in verdict
                    ? { ...verdict, message: redactSecrets(verdict.message, [adminPassword]) }
                    : verdict,
                replication,
              });
            }
            await sleep(POLL_INTERVAL_MS);
          }
        },
      ),
  });
}
