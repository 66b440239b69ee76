// DTFx RetryInterceptor.ComputeNextDelay, which the Durable extension runs for callActivityWithRetry/callSubOrchestratorWithRetry.

/** The retry options as the library serialises them into a *WithRetry action. */
export interface WireRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/**
 * Delay before the next attempt after 0-based attempt `attempt` failed, or 0 for "no timer, give up".
 * Defaults as in the extension: coefficient 1, no maximum interval, no timeout.
 * DTFx computes this after every failure, the last one included; the JS library then fails the task when that timer
 * fires with no attempts left, which is why a timer follows the final failure too.
 */
export function retryDelayMs(
  options: WireRetryOptions,
  attempt: number,
  firstAttemptMs: number,
  nowMs: number,
): number {
  const timeout = options.retryTimeoutInMilliseconds;
  const expiresAt =
    timeout !== undefined && timeout > 0 ? firstAttemptMs + timeout : Number.POSITIVE_INFINITY;
  if (!(nowMs < expiresAt)) return 0;
  const coefficient = options.backoffCoefficient ?? 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, attempt);
  const max = options.maxRetryIntervalInMilliseconds;
  return max !== undefined && max > 0 && delay >= max ? max : delay;
}
