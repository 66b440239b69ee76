// Runs an activity outside an orchestration (a dry run) under one of the workflow's retry policies, as the host would.
import type { RetryOptions } from "durable-functions";

/** Waits; injectable so tests need not sleep for real time. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delay after 0-based attempt `attempt` failed, as DTFx's RetryInterceptor computes it for callActivityWithRetry:
 * firstRetryInterval * backoffCoefficient^attempt, capped at maxRetryInterval (the policies set no retryTimeout).
 */
export function retryDelayMs(policy: RetryOptions, attempt: number): number {
  const coefficient = policy.backoffCoefficient > 0 ? policy.backoffCoefficient : 1;
  const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(coefficient, attempt);
  const max = policy.maxRetryIntervalInMilliseconds;
  return max > 0 && delay >= max ? max : delay;
}

/** Every attempt a policy allows has failed; what remains is the last error and when to try again. */
export class RetriesExhaustedError extends Error {
  override readonly name = "RetriesExhaustedError";
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
    /** How long a caller should wait before trying again: the policy's longest interval. */
    readonly retryAfterSeconds: number,
  ) {
    super(
      `Failed after ${attempts} attempt(s): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }
}

/**
 * Calls `call` until it resolves or the policy's attempts are used up. Like an activity under callActivityWithRetry,
 * a thrown error is what is retried: activities return permanent failures and throw only transient ones.
 */
export async function runWithRetry<T>(
  policy: RetryOptions,
  call: () => Promise<T>,
  sleep: Sleep = realSleep,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt + 1 >= policy.maxNumberOfAttempts) {
        const longest = Math.max(
          policy.maxRetryIntervalInMilliseconds,
          policy.firstRetryIntervalInMilliseconds,
        );
        throw new RetriesExhaustedError(attempt + 1, error, Math.ceil(longest / 1000));
      }
      await sleep(retryDelayMs(policy, attempt));
    }
  }
}
