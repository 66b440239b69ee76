// Re-validation: one pass over every active link (or the ones named), fanned out in batches of bounded size.
import type * as df from "durable-functions";
import { z } from "zod";
import { type RevalidateLinkResult } from "./activities/linkMaintenanceActivities";
import { orchestrationInput } from "./steps/orchestrationInput";
import { listActiveLinks } from "./steps/listActiveLinks";
import { revalidateBatch } from "./steps/revalidateBatch";

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
  const ids = input.ids ?? (yield* listActiveLinks(context));
  const output: RevalidationOutput = { checkedAt, links: [], failures: [] };
  // Batches, not a sliding window: re-yielding scheduled tasks in a new Task.any schedules them again (durable-js #574).
  for (let start = 0; start < ids.length; start += input.concurrency) {
    context.df.setCustomStatus({ checked: start, total: ids.length });
    const batch = yield* revalidateBatch(context, ids.slice(start, start + input.concurrency), checkedAt);
    output.links.push(...batch.links);
    output.failures.push(...batch.failures);
  }
  context.df.setCustomStatus({ checked: ids.length, total: ids.length });
  if (!context.df.isReplaying)
    context.log(`re-validated ${output.links.length} link(s), ${output.failures.length} failure(s)`);
  return output;
}
