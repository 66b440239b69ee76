// Activity: remove what an initial load created on the replica (a failed provisioning must not leave a half-loaded replica).
import { z } from "zod";
import { secretFailure } from "./activityOutcome";
import { loadEndpoints, type LoadEndpoints } from "./loadEndpoints";
import { transientError } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { type LoadPlan } from "../../load/loadTypes";
import { cleanReplica } from "../../load/replicaCleanup";
import { redactSecrets } from "../../secrets/secretResolver";

export const UNDO_LOAD_ACTIVITY = "undoInitialLoad";

export interface UndoLoadInput {
  source: SourceSpec;
  replica: ReplicaSpec;
  fqdn: string;
  plan: Pick<LoadPlan, "databases" | "preExisting">;
}

export const undoLoadResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), actions: z.array(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type UndoLoadResult = z.infer<typeof undoLoadResultSchema>;

export function createUndoLoadActivity(deps: () => WorkflowDependencies) {
  return async (input: UndoLoadInput): Promise<UndoLoadResult> => {
    let endpoints: LoadEndpoints;
    try {
      endpoints = await loadEndpoints(deps(), input.source, input.replica, input.fqdn);
    } catch (error) {
      const outcome = secretFailure(error);
      return { ok: false, error: outcome.ok ? "" : outcome.error.message };
    }
    try {
      // Already clean is success: a second run finds nothing to drop.
      return { ok: true, actions: await cleanReplica(endpoints.replica, input.plan) };
    } catch (error) {
      // Every failure is retried: undoing is what keeps a half-loaded replica from staying behind.
      throw transientError(new Error(redactSecrets((error as Error).message, endpoints.secrets)), []);
    }
  };
}
