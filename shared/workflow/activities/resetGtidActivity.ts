// Activity: set a Flexible Server replica's GTID state to the dump's through Resource Manager (resetGtid), before a GTID link.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { failed, outcomeSchema, succeeded, transientError } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaTarget, isTransientArmError, toArmFailure } from "../../replica/replicaManager";

export const RESET_GTID_ACTIVITY = "resetReplicaGtid";

export interface ResetGtidInput {
  replica: ReplicaTarget;
  gtidSet: string;
}

export const resetGtidResultSchema = outcomeSchema(z.object({ gtidSet: z.string() }));
export type ResetGtidResult = z.infer<typeof resetGtidResultSchema>;

export function createResetGtidActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<ResetGtidInput, ResetGtidResult> {
  return async (input: ResetGtidInput): Promise<ResetGtidResult> => {
    const manager = deps().replicaManager(input.replica);
    if (!manager.resetGtid) {
      return failed(
        "GTID_RESET_UNSUPPORTED",
        `Resource Manager has no resetGtid action for a ${input.replica.kind} server.`,
        "Set the replica's GTID state from the dump yourself, or use a Flexible Server replica.",
      );
    }
    try {
      // Idempotent: a retry or a replay sets the same state again (nothing is linked or started before this step).
      await manager.resetGtid(input.gtidSet);
      return succeeded({ gtidSet: input.gtidSet });
    } catch (error) {
      if (isTransientArmError(error)) throw transientError(error, []);
      const failure = toArmFailure(error);
      return failed(
        "GTID_RESET_FAILED",
        `Resource Manager refused to reset the GTID state of ${input.replica.serverName} to ${input.gtidSet}: ${failure.code}: ${failure.message}`,
        failure.statusCode === 403
          ? "Grant this app's identity Microsoft.DBforMySQL/flexibleServers/resetGtid/action on the replica (the custom role of infra/)."
          : "The server's gtid_mode must be ON and no replication may run on it; see the Resource Manager error above.",
      );
    }
  };
}
