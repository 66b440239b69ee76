// The one way a workflow step calls activities: under a retry policy, decoded by each activity's result schema, with
// exhausted retries (or a result of the wrong shape) turned into the step's WorkflowError.
import type * as df from "durable-functions";
import { type z } from "zod";
import { type WorkflowError } from "../provisionTypes";
import { type ActivityOutcome } from "../activities/activityOutcome";
import { decode } from "../decode";

/** A step ends the run with this error; the orchestrator catches it once and runs its failure path. */
export class StepFailed extends Error {
  override readonly name = "StepFailed";
  constructor(readonly error: WorkflowError) {
    super(`${error.code}: ${error.message}`);
  }
}

export interface ActivityCall<T> {
  name: string;
  policy: df.RetryOptions;
  input: unknown;
  schema: z.ZodType<T>;
}

/** What a step reports when its activities could not complete: the reason is the first line of the last error. */
export type Unavailable = (reason: string) => WorkflowError;

type Results<C extends readonly ActivityCall<unknown>[]> = {
  [K in keyof C]: C[K] extends ActivityCall<infer R> ? R : never;
};

/** The first line of a failed activity's error (the library appends the stack after " \n "). */
function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split(" \n ")[0]?.trim() ?? text;
}

/** Calls one activity, or several in parallel, and decodes each result; throws StepFailed when they cannot complete. */
export function* callActivities<C extends readonly ActivityCall<unknown>[]>(
  context: df.OrchestrationContext,
  calls: C,
  unavailable: Unavailable,
): Generator<df.Task, Results<C>, unknown> {
  const tasks = calls.map((call) => context.df.callActivityWithRetry(call.name, call.policy, call.input));
  try {
    // One call is yielded alone: a Task.all around it would add an action to the history for nothing.
    const values = tasks.length === 1 ? [yield tasks[0]!] : ((yield context.df.Task.all(tasks)) as unknown[]);
    return calls.map((call, index) => decode(call.schema, call.name, values[index])) as Results<C>;
  } catch (error) {
    throw new StepFailed(unavailable(errorMessage(error)));
  }
}

/** Calls one activity (see callActivities). */
export function* callActivity<T>(
  context: df.OrchestrationContext,
  call: ActivityCall<T>,
  unavailable: Unavailable,
): Generator<df.Task, T, unknown> {
  const [result] = yield* callActivities(context, [call] as const, unavailable);
  return result;
}

/** The value of a succeeded outcome; a permanent failure the activity returned ends the run with its own error. */
export function valueOf<T>(outcome: ActivityOutcome<T>): T {
  if (!outcome.ok) throw new StepFailed(outcome.error);
  return outcome.value;
}
