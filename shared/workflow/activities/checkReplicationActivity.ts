// Activity: optionally start replication, then watch the replica for a bounded time until it runs or shows an error.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { replicaAdminPurpose } from "../../secrets/secretBinding";
import { setTimeout as sleep } from "node:timers/promises";
import { failed, outcomeSchema, secretFailure, succeeded, transientError } from "./activityOutcome";
import { openReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, replicationSummarySchema, summariseReplication } from "../provisionTypes";
import {
  type ReplicationStatus,
  type ReplicationVerdict,
  appliedBetween,
  judgeReplication,
  readReplicationStatus,
} from "../../replica/replicationStatus";
import { callStart } from "../../replica/replicaSql";
import { isPermanentReplicationError, isTransientMysqlError } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const CHECK_REPLICATION_ACTIVITY = "checkReplication";

// A start is judged within a second or two (the IO thread reaches "Waiting for source to send event"): poll closely.
const POLL_INTERVAL_MS = 100;

export interface CheckReplicationInput {
  replica: ReplicaSpec;
  fqdn: string;
  start: boolean;
  /** How long to watch inside this execution; the orchestrator's durable timers cover longer waits. */
  waitSeconds: number;
}

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

export function createCheckReplicationActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<CheckReplicationInput, CheckReplicationResult> {
  return async (input: CheckReplicationInput): Promise<CheckReplicationResult> => {
    const dependencies = deps();
    let adminPassword: string;
    try {
      adminPassword = await dependencies.secrets.resolve(
        input.replica.adminPassword,
        replicaAdminPurpose(input.replica),
      );
    } catch (error) {
      return secretFailure(error);
    }
    try {
      const opened = await openReplicaSession(dependencies, input.replica, input.fqdn, adminPassword);
      try {
        if (input.start) await callStart(opened.session);
        const deadline = Date.now() + input.waitSeconds * 1000;
        let previous: ReplicationStatus | undefined;
        for (;;) {
          const status = await readReplicationStatus(opened.session, opened.identity);
          let verdict = judgeReplication(status, isPermanentReplicationError);
          if (verdict.kind === "catchingUp" && previous && appliedBetween(previous, status)) {
            verdict = { kind: "running" };
          }
          previous = status;
          if (verdict.kind === "running" || verdict.kind === "permanentError" || Date.now() >= deadline) {
            // Server error texts echo connection details: redact before they reach the orchestration's output.
            const replication = summariseReplication({
              ...status,
              lastIoError: redactSecrets(status.lastIoError, [adminPassword]),
              lastSqlError: redactSecrets(status.lastSqlError, [adminPassword]),
            });
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
      } finally {
        await opened.session.close();
      }
    } catch (error) {
      if (isTransientMysqlError(error)) throw transientError(error, [adminPassword]);
      return failed(
        "REPLICA_ACCESS_FAILED",
        redactSecrets(`Reading the replica's replication status failed: ${(error as Error).message}`, [
          adminPassword,
        ]),
        "Check the replica admin account and that the mysql.az_replication_* procedures are available.",
      );
    }
  };
}
