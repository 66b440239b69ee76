// The one way an activity is defined: its name, its input schema decoded on entry, then its typed work.
import type { InvocationContext } from "@azure/functions";
import { type z } from "zod";
import { formatIssues } from "../decode";

export type ActivityHandler<Input, Result> = (input: Input, context: InvocationContext) => Promise<Result>;

/**
 * An input that does not decode: a history from another code version, or a caller's bug. Thrown, so the run fails
 * with this message (naming the activity and the fields) instead of acting on a half-understood input.
 */
class ActivityInputError extends Error {
  override readonly name = "ActivityInputError";
}

/** The input as `schema` decodes it, or an ActivityInputError naming the activity and every field at fault (first 5). */
function decodeInput<S extends z.ZodType>(schema: S, activityName: string, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ActivityInputError(
    `Activity ${activityName} got a malformed input: ${formatIssues(parsed.error, "(input)")}`,
  );
}

/** A handler whose `run` sees only an input that `input` decoded (the host passes whatever the history holds). */
export function activity<S extends z.ZodType, Result>(definition: {
  name: string;
  input: S;
  run: (input: z.output<S>, context: InvocationContext) => Promise<Result>;
}): ActivityHandler<z.input<S>, Result> {
  const { name, input, run } = definition;
  return async (value, context) => run(decodeInput(input, name, value), context);
}
