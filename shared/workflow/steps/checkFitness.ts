// Step (cutover): is the link fit to cut over, and has the source stopped taking writes? Anything wrong here is a refusal.
import type * as df from "durable-functions";
import { type ReplicaProgress, type SourcePosition } from "../activities/cutoverActivities";
import { StepFailed } from "./callActivity";
import { brokenReason, isReadOnly, sourceReadOnlyCheck } from "./cutoverProgress";
import { readReplica } from "./readReplica";
import { readSource } from "./readSource";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export interface FitnessBounds {
  maxLagSeconds: number;
  requireSourceReadOnly: boolean;
}

/** Where both sides stand; nothing has been changed, so a failure marks the run refused. */
export function* checkFitness(
  run: LinkOperationRun,
  link: ClaimedLink,
  bounds: FitnessBounds,
): Generator<df.Task, { source: SourcePosition; replica: ReplicaProgress }, unknown> {
  run.begin("checking");
  try {
    return yield* checkBothSides(run, link, bounds);
  } catch (failure) {
    if (failure instanceof StepFailed) run.report.outcome = "refused";
    throw failure;
  }
}

function* checkBothSides(
  run: LinkOperationRun,
  link: ClaimedLink,
  { maxLagSeconds, requireSourceReadOnly }: FitnessBounds,
): Generator<df.Task, { source: SourcePosition; replica: ReplicaProgress }, unknown> {
  const replica = yield* readReplica(run, link);
  run.report.replication = replica.replication;
  const broken = brokenReason(replica);
  if (broken)
    throw new StepFailed({
      code: "LINK_BROKEN",
      message: `Refused: ${broken}. Cutting over now would lose what the replica has not applied.`,
      remedy: "Repair replication (see GET /api/replications/{id} and its health), then cut over.",
    });
  const lag = replica.replication.secondsBehindSource;
  if (lag !== null && lag > maxLagSeconds)
    throw new StepFailed({
      code: "LAGGING",
      message: `Refused: the replica is ${lag} s behind the source, beyond the bound of ${maxLagSeconds} s.`,
      remedy: "Let the replica catch up (or raise maxLagSeconds), then cut over.",
    });
  const source = yield* readSource(run, link);
  run.report.checks.push(sourceReadOnlyCheck(source, requireSourceReadOnly));
  if (requireSourceReadOnly && !isReadOnly(source))
    throw new StepFailed({
      code: "SOURCE_WRITABLE",
      message: "Refused: the source is not read-only, so it may still take writes the replica would miss.",
      remedy:
        "Stop the application's writes and SET GLOBAL super_read_only = ON on the source, or send requireSourceReadOnly: false to vouch that writes have stopped.",
    });
  return { source, replica };
}
