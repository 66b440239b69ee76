// Re-validation: one pass over every active link (or the ones named), fanned out in batches of bounded size.
import type * as df from "durable-functions";
import { z } from "zod";
import { REGISTRY_RETRY } from "./retryPolicies";
import {
  LIST_ACTIVE_LINKS_ACTIVITY,
  REVALIDATE_LINK_ACTIVITY,
  type RevalidateLinkInput,
  type RevalidateLinkResult,
} from "./activities/linkMaintenanceActivities";
import { orchestrationInput } from "./steps/orchestrationInput";

export const REVALIDATION_ORCHESTRATOR = "revalidateLinks";
/** The scheduled pass has one fixed instance id, so a pass cannot start while the previous one runs. */
export const SCHEDULED_REVALIDATION_INSTANCE = "revalidation-all-links";

export interface RevalidationInput {
  ids?: string[];
  concurrency: number;
}

export interface RevalidationOutput {
  checkedAt: string;
  links: RevalidateLinkResult[];
  failures: { id: string; message: string }[];
}

const inputSchema = z.object({
  ids: z.array(z.string()).optional(),
  concurrency: z.number().int().positive(),
});

export function* revalidationOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, RevalidationOutput, unknown> {
  const input = orchestrationInput(context, inputSchema);
  const checkedAt = context.df.currentUtcDateTime.toISOString();
  const ids =
    input.ids ??
    ((yield context.df.callActivityWithRetry(LIST_ACTIVE_LINKS_ACTIVITY, REGISTRY_RETRY)) as string[]);
  const output: RevalidationOutput = { checkedAt, links: [], failures: [] };
  // Batches, not a sliding window: re-yielding scheduled tasks in a new Task.any schedules them again (durable-js #574).
  for (let start = 0; start < ids.length; start += input.concurrency) {
    const batch = ids.slice(start, start + input.concurrency);
    context.df.setCustomStatus({ checked: start, total: ids.length });
    const tasks = batch.map((id) => {
      const activityInput: RevalidateLinkInput = { id, checkedAt };
      return context.df.callActivityWithRetry(REVALIDATE_LINK_ACTIVITY, REGISTRY_RETRY, activityInput);
    });
    try {
      const results = (yield context.df.Task.all(tasks)) as RevalidateLinkResult[];
      output.links.push(...results);
    } catch {
      // Task.all fails on the first failed task; read each task's own outcome.
      for (const [index, task] of tasks.entries()) {
        const id = batch[index] ?? "";
        if (task.isFaulted)
          output.failures.push({
            id,
            message: String((task.result as Error | undefined)?.message ?? "failed"),
          });
        else if (task.isCompleted) output.links.push(task.result as RevalidateLinkResult);
      }
    }
  }
  context.df.setCustomStatus({ checked: ids.length, total: ids.length });
  if (!context.df.isReplaying)
    context.log(`re-validated ${output.links.length} link(s), ${output.failures.length} failure(s)`);
  return output;
}
