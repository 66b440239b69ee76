// Step (re-validation): re-validate one batch of links in parallel; each link's own outcome, whatever the others' was.
import type * as df from "durable-functions";
import { REGISTRY_RETRY } from "../retryPolicies";
import {
  REVALIDATE_LINK_ACTIVITY,
  type RevalidateLinkInput,
  type RevalidateLinkResult,
  revalidateLinkResultSchema,
} from "../activities/linkMaintenanceActivities";
import { decode } from "../decode";

export interface BatchOutcome {
  links: RevalidateLinkResult[];
  failures: { id: string; message: string }[];
}

export function* revalidateBatch(
  context: df.OrchestrationContext,
  ids: string[],
  checkedAt: string,
): Generator<df.Task, BatchOutcome, unknown> {
  const outcome: BatchOutcome = { links: [], failures: [] };
  const tasks = ids.map((id) => {
    const input: RevalidateLinkInput = { id, checkedAt };
    return context.df.callActivityWithRetry(REVALIDATE_LINK_ACTIVITY, REGISTRY_RETRY, input);
  });
  let results: unknown[];
  try {
    results = (yield context.df.Task.all(tasks)) as unknown[];
  } catch {
    // Task.all fails on the first failed task; read each task's own outcome.
    for (const [index, task] of tasks.entries()) {
      const id = ids[index] ?? "";
      if (task.isFaulted)
        outcome.failures.push({
          id,
          message: String((task.result as Error | undefined)?.message ?? "failed"),
        });
      else if (task.isCompleted) take(outcome, id, task.result);
    }
    return outcome;
  }
  results.forEach((result, index) => take(outcome, ids[index] ?? "", result));
  return outcome;
}

/** A result of the wrong shape is that link's failure, not the pass's. */
function take(outcome: BatchOutcome, id: string, result: unknown): void {
  try {
    outcome.links.push(decode(revalidateLinkResultSchema, REVALIDATE_LINK_ACTIVITY, result));
  } catch (error) {
    outcome.failures.push({ id, message: (error as Error).message });
  }
}
