// Step (cutover): wait, on durable timers, until the replica has applied everything the source has written.
import type * as df from "durable-functions";
import { type ReplicaProgress, type SourcePosition } from "../activities/cutoverActivities";
import { StepFailed } from "./callActivity";
import { brokenReason, caughtUp, lagSample, positionsText } from "./cutoverProgress";
import { readReplica } from "./readReplica";
import { readSource } from "./readSource";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

const MAX_LAG_SAMPLES = 20;

export interface CatchUpTiming {
  catchUpTimeoutSeconds: number;
  pollIntervalSeconds: number;
}

/** Samples the lag each poll; ends once caught up, throws StepFailed when replication breaks or time runs out. */
export function* waitForReplica(
  run: LinkOperationRun,
  link: ClaimedLink,
  timing: CatchUpTiming,
  start: { source: SourcePosition; replica: ReplicaProgress },
): Generator<df.Task, void, unknown> {
  run.begin("waitingForReplica");
  const method = link.record.linking;
  const pollMs = timing.pollIntervalSeconds * 1000;
  const deadline = run.now().getTime() + timing.catchUpTimeoutSeconds * 1000;
  let { source, replica } = start;
  for (;;) {
    run.recordLag(lagSample(run.now(), method, source, replica), MAX_LAG_SAMPLES);
    if (caughtUp(method, source, replica)) return;
    const reason = brokenReason(replica);
    if (reason)
      throw new StepFailed({
        code: "LINK_BROKEN",
        message: `Replication broke while catching up: ${reason}.`,
        remedy: "Repair replication, then cut over again. Nothing was changed.",
      });
    if (run.now().getTime() + pollMs > deadline)
      throw new StepFailed({
        code: "CATCH_UP_TIMEOUT",
        message: `The replica had not applied everything the source wrote within ${timing.catchUpTimeoutSeconds} s (${positionsText(method, source, replica)}).`,
        remedy:
          "Check that writes to the source have stopped and the replica is not lagging; raise catchUpTimeoutSeconds if needed. Nothing was changed.",
      });
    yield run.context.df.createTimer(new Date(run.now().getTime() + pollMs));
    source = yield* readSource(run, link);
    replica = yield* readReplica(run, link);
    run.report.replication = replica.replication;
  }
}
