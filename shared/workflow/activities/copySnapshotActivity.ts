// Activity: the initial copy at one snapshot (see shared/load/snapshotCopy.ts for why it is one activity); a retry starts clean.
import { z } from "zod";
import { activity } from "./activityHandler";
import { failed, outcomeSchema, succeeded } from "./activityOutcome";
import { withLoadEndpoints } from "./loadEndpoints";
import { type WorkflowDependencies } from "../dependencies";
import { loadPlanSchema, loadReportSchema } from "../../load/loadTypes";
import { copySnapshot } from "../../load/snapshotCopy";
import { LoadFailure } from "../../load/loadFailure";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { loadHooks } from "../../load/loadHooks";
import { initialLoadSchema } from "../../request/provisionRequest";
import { linkEndsInputSchema } from "./replicaSession";

export const COPY_SNAPSHOT_ACTIVITY = "copyInitialLoad";

export const copySnapshotInputSchema = linkEndsInputSchema.extend({
  id: z.string().min(1),
  plan: loadPlanSchema,
  parallelism: initialLoadSchema.shape.parallelism.unwrap(),
});
export type CopySnapshotInput = z.infer<typeof copySnapshotInputSchema>;

export const copySnapshotResultSchema = outcomeSchema(loadReportSchema);
export type CopySnapshotResult = z.infer<typeof copySnapshotResultSchema>;

/** Errors that a new attempt at a new snapshot can get past: lost connections, and DDL racing the copy (1412). */
function isRetryable(error: unknown): boolean {
  return isTransientMysqlError(error) || mysqlErrno(error) === 1412;
}

export function createCopySnapshotActivity(deps: () => WorkflowDependencies) {
  let attempts = 0;
  return activity({
    name: COPY_SNAPSHOT_ACTIVITY,
    input: copySnapshotInputSchema,
    run: (input): Promise<CopySnapshotResult> => {
      const dependencies = deps();
      return withLoadEndpoints(
        dependencies,
        input,
        ({ errno, message }) => ({
          code: "LOAD_FAILED",
          message: `The initial copy failed: ${errno ? `error ${errno}: ` : ""}${message}`,
          remedy:
            "See the MySQL error above. What the load created on the replica was removed; fix the cause and POST again.",
        }),
        async (endpoints) => {
          attempts += 1;
          const hooks = loadHooks();
          try {
            const report = await copySnapshot(endpoints, {
              plan: input.plan,
              parallelism: input.parallelism,
              attempt: attempts,
              onProgress: (progress) => {
                hooks.onProgress?.(input.id, progress);
                // Best effort, never in the copy's way: a lost progress row only makes GET show older numbers.
                void dependencies.loadProgress
                  .report(input.id, progress, progress.phase === "done")
                  .catch(() => undefined);
              },
              ...(hooks.afterBatch ? { afterBatch: hooks.afterBatch } : {}),
              ...hooks.tuning,
            });
            return succeeded(report);
          } catch (error) {
            if (error instanceof LoadFailure) return failed(error.code, error.message, error.remedy);
            throw error;
          }
        },
        isRetryable,
      );
    },
  });
}
