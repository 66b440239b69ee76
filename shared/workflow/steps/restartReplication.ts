// Undo (cutover): start the replication this run stopped, so the link goes on replicating.
import type * as df from "durable-functions";
import { ROLLBACK_RETRY } from "../retryPolicies";
import { attemptUndo, retriesRanOut } from "./attemptUndo";
import { setReplicationRunning } from "./setReplicationRunning";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* restartReplication(
  run: LinkOperationRun,
  link: ClaimedLink,
): Generator<df.Task, void, unknown> {
  const { report } = run;
  const failure = yield* attemptUndo(
    (function* () {
      yield* setReplicationRunning(run, link, true, ROLLBACK_RETRY, retriesRanOut);
    })(),
  );
  report.rolledBack = report.rolledBack !== false && failure === null;
  report.rollback.push(
    failure === null
      ? "started replication again (az_replication_start)"
      : `starting replication again failed: ${failure}`,
  );
}
