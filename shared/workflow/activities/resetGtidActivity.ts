// Activity: set a Flexible Server replica's GTID state to the dump's through Resource Manager (resetGtid), before a GTID link.
import { z } from "zod";
import { activity } from "./activityHandler";
import { armOutcome, failed, outcomeSchema } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { replicaSpecSchema, replicaTargetSchema } from "../../request/provisionRequest";

export const RESET_GTID_ACTIVITY = "resetReplicaGtid";

export const resetGtidInputSchema = z.object({
  replica: replicaTargetSchema,
  gtidSet: replicaSpecSchema.shape.resetGtid.unwrap().shape.gtidSet,
});
export type ResetGtidInput = z.infer<typeof resetGtidInputSchema>;

export const resetGtidResultSchema = outcomeSchema(z.object({ gtidSet: z.string() }));
export type ResetGtidResult = z.infer<typeof resetGtidResultSchema>;

export function createResetGtidActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: RESET_GTID_ACTIVITY,
    input: resetGtidInputSchema,
    run: async (input): Promise<ResetGtidResult> => {
      const manager = deps().replicaManager(input.replica);
      const resetGtid = manager.resetGtid?.bind(manager);
      if (!resetGtid) {
        return failed(
          "GTID_RESET_UNSUPPORTED",
          `Resource Manager has no resetGtid action for a ${input.replica.kind} server.`,
          "Set the replica's GTID state from the dump yourself, or use a Flexible Server replica.",
        );
      }
      return armOutcome(
        async () => {
          // Idempotent: a retry or a replay sets the same state again (nothing is linked or started before this step).
          await resetGtid(input.gtidSet);
          return { gtidSet: input.gtidSet };
        },
        (failure) => ({
          code: "GTID_RESET_FAILED",
          message: `Resource Manager refused to reset the GTID state of ${input.replica.serverName} to ${input.gtidSet}: ${failure.code}: ${failure.message}`,
          remedy:
            failure.statusCode === 403
              ? "Grant this app's identity Microsoft.DBforMySQL/flexibleServers/resetGtid/action on the replica (the custom role of infra/)."
              : "The server's gtid_mode must be ON and no replication may run on it; see the Resource Manager error above.",
        }),
      );
    },
  });
}
