// Runs one undo of a rotation or cutover: a failure to put something back is reported, never raised over the run's error.
import type * as df from "durable-functions";
import { StepFailed, type Unavailable } from "./callActivity";

/** The reason an undo's retries ran out on, as it stands: an undo's failure text has no code of its own. */
export const retriesRanOut: Unavailable = (reason) => ({ code: "", message: reason, remedy: "" });

/** null when the undo completed; otherwise why not ("CODE: message", or the reason its retries ran out on). */
export function* attemptUndo(
  undo: Generator<df.Task, void, unknown>,
): Generator<df.Task, string | null, unknown> {
  try {
    yield* undo;
    return null;
  } catch (failure) {
    if (!(failure instanceof StepFailed)) throw failure;
    return failure.error.code ? `${failure.error.code}: ${failure.error.message}` : failure.error.message;
  }
}
