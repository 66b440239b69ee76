// The health probe pass: plan id-range batches, probe every batch at once, sum the figures; a small history per pass.
import type * as df from "durable-functions";
import { z } from "zod";
import { PROBE_RETRY } from "./retryPolicies";
import {
  PLAN_PROBE_BATCHES_ACTIVITY,
  PROBE_BATCH_ACTIVITY,
  type PlanProbeBatchesInput,
  planProbeBatchesResultSchema,
  probeBatchResultSchema,
} from "./activities/probeActivities";
import { decode } from "./decode";
import { orchestrationInput } from "./steps/orchestrationInput";
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

const probeInputSchema = z.object({ batchSize: z.number().int().positive() });

/** A pass's output before any batch is added. */
export function emptyOutput(probedAt: string, links: number, batches: number): ProbeOutput {
  return {
    probedAt,
    links,
    batches,
    probed: 0,
    roundTrips: 0,
    writes: 0,
    states: { healthy: 0, lagging: 0, broken: 0, unreachable: 0 },
    transitionCount: 0,
    transitions: [],
    failures: [],
  };
}

/** Pure: adds one batch's figures to the pass's; only the first OUTPUT_TRANSITIONS transitions are listed. */
export function addBatch(output: ProbeOutput, batch: ProbeBatchResult): void {
  output.probed += batch.probed;
  output.roundTrips += batch.roundTrips;
  output.writes += batch.writes;
  for (const [state, count] of Object.entries(batch.states) as [ProbeState, number][])
    output.states[state] += count;
  output.transitionCount += batch.transitions.length;
  const room = Math.max(0, OUTPUT_TRANSITIONS - output.transitions.length);
  output.transitions.push(...batch.transitions.slice(0, room));
}

export function* probeOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, ProbeOutput, unknown> {
  const { batchSize } = orchestrationInput(context, probeInputSchema);
  const probedAt = context.df.currentUtcDateTime.toISOString();
  const planInput: PlanProbeBatchesInput = { batchSize };
  const plan = decode(
    planProbeBatchesResultSchema,
    PLAN_PROBE_BATCHES_ACTIVITY,
    yield context.df.callActivityWithRetry(PLAN_PROBE_BATCHES_ACTIVITY, PROBE_RETRY, planInput),
  );
  const output = emptyOutput(probedAt, plan.links, plan.batches.length);
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
    // A batch of the wrong shape is that batch's failure, not the pass's.
    const batch = probeBatchResultSchema.safeParse(task.result);
    if (batch.success) addBatch(output, batch.data);
    else output.failures.push({ ...range, message: "the batch returned an unexpected result" });
  }
  if (!context.df.isReplaying && (output.transitionCount > 0 || output.failures.length > 0)) {
    context.log(
      `probe: ${output.probed} link(s), ${output.transitionCount} transition(s), ${output.failures.length} failed batch(es)`,
    );
  }
  return output;
}
