// Activity results: permanent failures are returned as tagged values, transient ones are thrown for the retry policy.
import { type WorkflowError } from "../provisionTypes";
import { SecretResolutionError, redactSecrets } from "../../secrets/secretResolver";

export type ActivityOutcome<T> = { ok: true; value: T } | { ok: false; error: WorkflowError };

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
