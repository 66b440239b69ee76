// The health probe pass: plan id-range batches, probe every batch at once, sum the figures; a small history per pass.
import type * as df from "durable-functions";
import { z } from "zod";
import { PROBE_RETRY } from "./retryPolicies";
import {
  PLAN_PROBE_BATCHES_ACTIVITY,
  PROBE_BATCH_ACTIVITY,
  type PlanProbeBatchesInput,
} from "./activities/probeActivities";
import { type ProbeBatchInput, type ProbeBatchResult } from "../probe/probeBatch";
import { type ProbeState } from "../probe/linkProbeState";

export const PROBE_ORCHESTRATOR = "probeLinks";
/** One fixed instance: a pass never starts while the previous one runs, and each pass replaces the last one's history. */
export const SCHEDULED_PROBE_INSTANCE = "health-probe";
/** Transitions listed in the output (the rest are counted): the output stays small with any number of links. */
const OUTPUT_TRANSITIONS = 50;

export interface ProbeInput {
  batchSize: number;
}

export interface ProbeOutput {
  probedAt: string;
  links: number;
  batches: number;
  probed: number;
  roundTrips: number;
  writes: number;
  states: Record<ProbeState, number>;
  transitionCount: number;
  transitions: ProbeBatchResult["transitions"];
  failures: { from: string; to: string; message: string }[];
}

const inputSchema = z.object({ batchSize: z.number().int().positive() });
const planSchema = z.object({
  links: z.number().int().nonnegative(),
  batches: z.array(z.object({ from: z.string(), to: z.string() })),
});
const batchSchema = z.object({
  probed: z.number(),
  roundTrips: z.number(),
  writes: z.number(),
  states: z.record(z.string(), z.number()),
  transitions: z.array(
    z.object({ id: z.string(), from: z.string().nullable(), to: z.string(), errno: z.number().nullable() }),
  ),
});

export function* probeOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, ProbeOutput, unknown> {
  const parsed = inputSchema.safeParse(context.df.getInput());
  if (!parsed.success) throw new Error("Invalid probe input.");
  const probedAt = context.df.currentUtcDateTime.toISOString();
  const planInput: PlanProbeBatchesInput = { batchSize: parsed.data.batchSize };
  const plan = planSchema.parse(
    yield context.df.callActivityWithRetry(PLAN_PROBE_BATCHES_ACTIVITY, PROBE_RETRY, planInput),
  );
  const output: ProbeOutput = {
    probedAt,
    links: plan.links,
    batches: plan.batches.length,
    probed: 0,
    roundTrips: 0,
    writes: 0,
    states: { healthy: 0, lagging: 0, broken: 0, unreachable: 0 },
    transitionCount: 0,
    transitions: [],
    failures: [],
  };
  // Every batch at once: a batch is already the unit of work, and the host bounds how many activities run together.
  const tasks = plan.batches.map((range) => {
    const input: ProbeBatchInput = { ...range, probedAt };
    return context.df.callActivityWithRetry(PROBE_BATCH_ACTIVITY, PROBE_RETRY, input);
  });
  if (tasks.length > 0) {
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // Task.all fails on the first failed task; each task's own outcome is read below.
    }
  }
  for (const [index, task] of tasks.entries()) {
    const range = plan.batches[index] ?? { from: "", to: "" };
    if (task.isFaulted || !task.isCompleted) {
      output.failures.push({
        ...range,
        message: String((task.result as Error | undefined)?.message ?? "failed"),
      });
      continue;
    }
    const result = batchSchema.safeParse(task.result);
    if (!result.success) {
      output.failures.push({ ...range, message: "the batch returned an unexpected result" });
      continue;
    }
    output.probed += result.data.probed;
    output.roundTrips += result.data.roundTrips;
    output.writes += result.data.writes;
    for (const [state, count] of Object.entries(result.data.states)) {
      if (state in output.states) output.states[state as ProbeState] += count;
    }
    output.transitionCount += result.data.transitions.length;
    for (const transition of result.data.transitions) {
      if (output.transitions.length < OUTPUT_TRANSITIONS)
        output.transitions.push({
          ...transition,
          from: transition.from as ProbeState | null,
          to: transition.to as ProbeState,
        });
    }
  }
  if (!context.df.isReplaying && (output.transitionCount > 0 || output.failures.length > 0)) {
    context.log(
      `probe: ${output.probed} link(s), ${output.transitionCount} transition(s), ${output.failures.length} failed batch(es)`,
    );
  }
  return output;
}
