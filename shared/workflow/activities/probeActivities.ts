// Activities of the health probe: plan the batches (one registry read), probe one batch.
import { z } from "zod";
import { activity } from "./activityHandler";
import { type ProbeRuntime } from "../probeRuntime";
import { type ProbeBatchInput, type ProbeBatchResult, probeBatch } from "../../probe/probeBatch";

export const PLAN_PROBE_BATCHES_ACTIVITY = "planProbeBatches";
export const PROBE_BATCH_ACTIVITY = "probeBatch";

export const planProbeBatchesInputSchema = z.object({ batchSize: z.number().int().positive() });
export type PlanProbeBatchesInput = z.infer<typeof planProbeBatchesInputSchema>;

// The probe declares ProbeBatchInput as a type; `satisfies` keeps this schema to it.
export const probeBatchInputSchema = z.object({
  from: z.string(),
  to: z.string(),
  probedAt: z.string().min(1),
}) satisfies z.ZodType<ProbeBatchInput>;

/** Id ranges, not id lists: the orchestration's history stays a few hundred bytes per batch whatever the link count. */
export const planProbeBatchesResultSchema = z.object({
  links: z.number().int().nonnegative(),
  batches: z.array(z.object({ from: z.string(), to: z.string() })),
});
export type PlanProbeBatchesResult = z.infer<typeof planProbeBatchesResultSchema>;

const probeStateSchema = z.enum(["healthy", "lagging", "broken", "unreachable"]);

export const probeBatchResultSchema = z.object({
  probed: z.number(),
  roundTrips: z.number(),
  writes: z.number(),
  states: z.record(probeStateSchema, z.number()),
  transitions: z.array(
    z.object({
      id: z.string(),
      from: probeStateSchema.nullable(),
      to: probeStateSchema,
      errno: z.number().nullable(),
    }),
  ),
}) satisfies z.ZodType<ProbeBatchResult>;

function planBatches(ids: readonly string[], batchSize: number): PlanProbeBatchesResult {
  // Ordinal order, as Table storage sorts row keys.
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const batches: { from: string; to: string }[] = [];
  for (let start = 0; start < sorted.length; start += batchSize) {
    const slice = sorted.slice(start, start + batchSize);
    batches.push({ from: slice[0] as string, to: slice[slice.length - 1] as string });
  }
  return { links: sorted.length, batches };
}

export function createPlanProbeBatchesActivity(runtime: () => ProbeRuntime) {
  return activity({
    name: PLAN_PROBE_BATCHES_ACTIVITY,
    input: planProbeBatchesInputSchema,
    run: async (input): Promise<PlanProbeBatchesResult> => {
      const links = await runtime().workflow.registry.list();
      return planBatches(
        links.filter((link) => link.state === "replicating").map((link) => link.id),
        input.batchSize,
      );
    },
  });
}

export function createProbeBatchActivity(runtime: () => ProbeRuntime) {
  return activity({
    name: PROBE_BATCH_ACTIVITY,
    input: probeBatchInputSchema,
    // Per-link failures are results (unreachable); only a Table storage failure throws, for the retry policy.
    run: (input, context): Promise<ProbeBatchResult> =>
      probeBatch(
        runtime().forBatch((line) => context.log(line)),
        input,
      ),
  });
}
