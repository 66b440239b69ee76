// Step (cutover): stop replication, and make sure the source wrote nothing more meanwhile; the final applied position.
import type * as df from "durable-functions";
import { MYSQL_RETRY } from "../retryPolicies";
import { StepFailed } from "./callActivity";
import { caughtUp } from "./cutoverProgress";
import { readSource } from "./readSource";
import { setReplicationRunning } from "./setReplicationRunning";
import { type ClaimedLink, type LinkOperationRun, type Undo } from "./linkOperationRun";

export function* stopReplication(
  run: LinkOperationRun,
  link: ClaimedLink,
  /** How to start replication again, should this or a later step fail. */
  restart: Undo,
): Generator<df.Task, void, unknown> {
  const { report } = run;
  run.begin("stopping");
  run.undo.push(restart);
  const stopped = yield* setReplicationRunning(run, link, false, MYSQL_RETRY, (reason) => ({
    code: "STOP_FAILED",
    message: `Stopping replication failed after retries: ${reason}`,
    remedy: "Check that the replica is reachable from this app.",
  }));
  report.changes.push("stopped replication (az_replication_stop)");
  const finalSource = yield* readSource(run, link);
  if (!caughtUp(link.record.linking, finalSource, stopped))
    throw new StepFailed({
      code: "SOURCE_STILL_WRITING",
      message: "The source wrote more after the replica caught up; the replica would miss it.",
      remedy:
        "Stop the application's writes to the source (SET GLOBAL super_read_only = ON), then cut over again.",
    });
  report.coordinates =
    stopped.appliedFile && stopped.appliedPosition !== null
      ? { file: stopped.appliedFile, position: stopped.appliedPosition }
      : null;
  report.gtidExecuted = stopped.gtidExecuted || null;
  report.replication = stopped.replication;
}
