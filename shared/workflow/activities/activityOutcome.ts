// Activity results: permanent failures are returned as tagged values, transient ones are thrown for the retry policy.
import { z } from "zod";
import { type WorkflowError } from "../provisionTypes";
import { SecretResolutionError, redactSecrets } from "../../secrets/secretResolver";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { type ArmFailure, isTransientArmError, toArmFailure } from "../../replica/replicaManager";

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

const TRANSIENT_ACTIVITY_ERROR = "TransientActivityError";

/** An error to throw for a retry; its text has every secret of the activity removed. */
function transientError(error: unknown, secrets: readonly string[]): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const result = new Error(
    redactSecrets(`${typeof code === "string" ? `${code}: ` : ""}${message}`, secrets),
  );
  result.name = TRANSIENT_ACTIVITY_ERROR;
  return result;
}

/** Secret failures: a permanent one ends the run with a clear message, a transient one is thrown for a retry. */
function secretFailure(error: unknown): ActivityOutcome<never> {
  if (error instanceof SecretResolutionError) {
    if (error.transient) throw error;
    return failed("SECRET_UNAVAILABLE", error.message, error.remedy);
  }
  throw error;
}

/** Resolves an activity's secrets at the moment of use; a refused secret is the SECRET_UNAVAILABLE outcome. */
export async function resolveSecrets<S>(resolve: () => Promise<S>): Promise<ActivityOutcome<S>> {
  try {
    return succeeded(await resolve());
  } catch (error) {
    return secretFailure(error);
  }
}

/** A permanent MySQL (or client) error as the activity words it: the message already has every secret removed. */
export interface Refusal {
  errno: number | undefined;
  /** Node's error code (`ER_ACCESS_DENIED_ERROR`, `CERT_HAS_EXPIRED`...), when there is one. */
  code: string | undefined;
  message: string;
}

function redacted(error: WorkflowError, secrets: readonly string[]): ActivityOutcome<never> {
  return failed(error.code, redactSecrets(error.message, secrets), redactSecrets(error.remedy, secrets));
}

/**
 * Runs an activity's work and classifies what it throws: a transient error (by `isTransient`) is thrown for the retry
 * policy, a permanent one is returned as the failure `refused` words. Every secret is removed from both, and from a
 * failure the work returns itself. An error already classified by an inner scaffold passes through as it is.
 */
export async function classifyErrors<T>(
  secrets: readonly string[],
  refused: (refusal: Refusal) => WorkflowError,
  work: () => Promise<ActivityOutcome<T>>,
  isTransient: (error: unknown) => boolean = isTransientMysqlError,
): Promise<ActivityOutcome<T>> {
  try {
    const outcome = await work();
    return outcome.ok ? outcome : redacted(outcome.error, secrets);
  } catch (error) {
    if ((error as { name?: unknown }).name === TRANSIENT_ACTIVITY_ERROR) throw error;
    if (isTransient(error)) throw transientError(error, secrets);
    const code = (error as { code?: unknown }).code;
    const refusal: Refusal = {
      errno: mysqlErrno(error),
      code: typeof code === "string" ? code : undefined,
      message: redactSecrets(error instanceof Error ? error.message : String(error), secrets),
    };
    return redacted(refused(refusal), secrets);
  }
}

/**
 * A Resource Manager call: throttling, 5xx and lost connections are thrown for the retry policy (ARM_RETRY; the SDK's
 * own retries are off), a refusal is returned as the failure `refused` words from the ARM error.
 */
export async function armOutcome<T>(
  work: () => Promise<T>,
  refused: (failure: ArmFailure) => WorkflowError,
): Promise<ActivityOutcome<T>> {
  try {
    return succeeded(await work());
  } catch (error) {
    if (isTransientArmError(error)) throw transientError(error, []);
    const { code, message, remedy } = refused(toArmFailure(error));
    return failed(code, message, remedy);
  }
}
