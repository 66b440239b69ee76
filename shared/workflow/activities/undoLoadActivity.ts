// Activity: remove what an initial load created on the replica (a failed provisioning must not leave a half-loaded replica).
import { z } from "zod";
import { activity } from "./activityHandler";
import { succeeded } from "./activityOutcome";
import { withLoadEndpoints } from "./loadEndpoints";
import { type WorkflowDependencies } from "../dependencies";
import { cleanReplica } from "../../load/replicaCleanup";
import { linkEndsInputSchema } from "./replicaSession";

export const UNDO_LOAD_ACTIVITY = "undoInitialLoad";

export const undoLoadInputSchema = linkEndsInputSchema.extend({
  plan: z.object({ databases: z.array(z.string()), preExisting: z.array(z.string()) }),
});
export type UndoLoadInput = z.infer<typeof undoLoadInputSchema>;

export const undoLoadResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), actions: z.array(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type UndoLoadResult = z.infer<typeof undoLoadResultSchema>;

export function createUndoLoadActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: UNDO_LOAD_ACTIVITY,
    input: undoLoadInputSchema,
    run: async (input): Promise<UndoLoadResult> => {
      const outcome = await withLoadEndpoints(
        deps(),
        input,
        // Not reached while every failure is retried (below); worded for the day one is not.
        ({ message }) => ({ code: "UNDO_LOAD_FAILED", message, remedy: "" }),
        // Already clean is success: a second run finds nothing to drop.
        async (endpoints) => succeeded(await cleanReplica(endpoints.replica, input.plan)),
        // Every failure is retried: undoing is what keeps a half-loaded replica from staying behind.
        () => true,
      );
      return outcome.ok ? { ok: true, actions: outcome.value } : { ok: false, error: outcome.error.message };
    },
  });
}
