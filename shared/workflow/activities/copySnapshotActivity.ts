// Activity: the initial copy at one snapshot (see shared/load/snapshotCopy.ts for why it is one activity); a retry starts clean.
import { type z } from "zod";
import { failed, outcomeSchema, secretFailure, succeeded, transientError } from "./activityOutcome";
import { loadEndpoints, type LoadEndpoints } from "./loadEndpoints";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { type LoadPlan, loadReportSchema } from "../../load/loadTypes";
import { copySnapshot } from "../../load/snapshotCopy";
import { LoadFailure } from "../../load/loadFailure";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";
import { loadHooks } from "../../load/loadHooks";

export const COPY_SNAPSHOT_ACTIVITY = "copyInitialLoad";

export interface CopySnapshotInput {
  id: string;
  source: SourceSpec;
  replica: ReplicaSpec;
  fqdn: string;
  plan: LoadPlan;
  parallelism: number;
}

export const copySnapshotResultSchema = outcomeSchema(loadReportSchema);
export type CopySnapshotResult = z.infer<typeof copySnapshotResultSchema>;

/** Errors that a new attempt at a new snapshot can get past: lost connections, and DDL racing the copy (1412). */
function isRetryable(error: unknown): boolean {
  return isTransientMysqlError(error) || mysqlErrno(error) === 1412;
}

export function createCopySnapshotActivity(deps: () => WorkflowDependencies) {
  let attempts = 0;
  return async (input: CopySnapshotInput): Promise<CopySnapshotResult> => {
    const dependencies = deps();
    let endpoints: LoadEndpoints;
    try {
      endpoints = await loadEndpoints(dependencies, input.source, input.replica, input.fqdn);
    } catch (error) {
      return secretFailure(error);
    }
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
      if (isRetryable(error)) throw transientError(error, endpoints.secrets);
      const errno = mysqlErrno(error);
      return failed(
        "LOAD_FAILED",
        redactSecrets(
          `The initial copy failed: ${errno ? `error ${errno}: ` : ""}${(error as Error).message}`,
          endpoints.secrets,
        ),
        "See the MySQL error above. What the load created on the replica was removed; fix the cause and POST again.",
      );
    }
  };
}
