// The frame of a rotation or cutover: validate the input, claim the link, run the runbook, undo on failure, release the link.
import type * as df from "durable-functions";
import { type z } from "zod";
import { type ClaimLinkInput } from "../activities/linkClaimActivities";
import { type LinkOperation, type OperationReport } from "../linkOperationTypes";
import { type WorkflowError } from "../provisionTypes";
import { StepFailed } from "./callActivity";
import { claimLink } from "./claimLink";
import { orchestrationInput } from "./orchestrationInput";
import { type ClaimedLink, LinkOperationRun } from "./linkOperationRun";
import { type Release, releaseLink } from "./releaseLink";

export interface LinkOperationSpec<I extends { id: string }> {
  operation: LinkOperation;
  inputSchema: z.ZodType<I>;
  holdAs: ClaimLinkInput["holdAs"];
  /** What the operation does to a link: "rotated", "cut over" (the refusal and the log say it). */
  done: string;
  /** The operation's steps; each throws StepFailed to end the run, after adding its undo to run.undo. */
  runbook: (run: LinkOperationRun, link: ClaimedLink, input: I) => Generator<df.Task, Release, unknown>;
}

/** The orchestrator of one link operation. */
export function linkOperationOrchestrator<I extends { id: string }>(
  spec: LinkOperationSpec<I>,
): (context: df.OrchestrationContext) => Generator<df.Task, OperationReport, unknown> {
  return function* (context) {
    const input = orchestrationInput(context, spec.inputSchema);
    const run = new LinkOperationRun(context, input.id, spec.operation);
    const link = yield* claimLink(run, spec.holdAs, spec.done);
    if (!link) return run.report;
    let release: Release;
    try {
      release = yield* spec.runbook(run, link, input);
    } catch (failure) {
      if (!(failure instanceof StepFailed)) throw failure;
      yield* undo(run, failure.error);
      // A run that could not put its change back leaves a link that does not replicate: the state says so.
      release = { state: run.report.rolledBack === false ? "failed" : "replicating" };
    }
    run.end();
    yield* releaseLink(run, spec.holdAs, release);
    if (run.report.outcome === "succeeded") run.log(spec.done);
    return run.report;
  };
}

/** Records the error, then puts back what the run changed, newest first. */
function* undo(run: LinkOperationRun, error: WorkflowError): Generator<df.Task, void, unknown> {
  run.report.error = error;
  if (run.undo.length === 0) return;
  run.begin("rollingBack");
  for (const entry of [...run.undo].reverse()) yield* entry();
}
