// The first step of every orchestrator: its input, checked by the orchestrator's schema before any task is scheduled.
import type * as df from "durable-functions";
import { type z } from "zod";

/** The validated input; a bad one ends the orchestration at once, naming every field that is wrong. */
export function orchestrationInput<T>(context: df.OrchestrationContext, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(context.df.getInput());
  if (!parsed.success)
    throw new Error(
      `Invalid orchestration input: ${parsed.error.issues.map((issue) => issue.path.join(".")).join(", ")}`,
    );
  return parsed.data;
}
