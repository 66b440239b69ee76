// Activity results: permanent failures are returned as tagged values, transient ones are thrown for the retry policy.
import { z } from "zod";
import { type WorkflowError } from "../provisionTypes";
import { SecretResolutionError, redactSecrets } from "../../secrets/secretResolver";

export type ActivityOutcome<T> = { ok: true; value: T } | { ok: false; error: WorkflowError };

const workflowErrorSchema = z.object({ code: z.string(), message: z.string(), remedy: z.string() });

/** The schema of an activity's outcome: the `{ok, value}` / `{ok:false, error}` envelope around `value`'s schema. */
export function outcomeSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: workflowErrorSchema }),
  ]);
}

/**
 * An outcome schema for a result whose declared type is large: it checks the envelope and the fields the orchestrator
 * reads (`checked`, a loose object, so the rest passes through unchanged) and is typed as the declared outcome.
 */
export function envelopeSchema<T>(checked: z.ZodType): z.ZodType<ActivityOutcome<T>> {
  return outcomeSchema(checked) as unknown as z.ZodType<ActivityOutcome<T>>;
}

export function succeeded<T>(value: T): ActivityOutcome<T> {
  return { ok: true, value };
}

export function failed(code: string, message: string, remedy: string): ActivityOutcome<never> {
  return { ok: false, error: { code, message, remedy } };
}

/** An error to throw for a retry; its text has every secret of the activity removed. */
export function transientError(error: unknown, secrets: readonly string[]): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const result = new Error(
    redactSecrets(`${typeof code === "string" ? `${code}: ` : ""}${message}`, secrets),
  );
  result.name = "TransientActivityError";
  return result;
}

/** Secret failures: a permanent one ends the run with a clear message, a transient one is thrown for a retry. */
export function secretFailure(error: unknown): ActivityOutcome<never> {
  if (error instanceof SecretResolutionError) {
    if (error.transient) throw error;
    return failed("SECRET_UNAVAILABLE", error.message, error.remedy);
  }
  throw error;
}
