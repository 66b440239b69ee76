// Step (rotation): start the re-made link and watch it until it runs (the provisioning's start-and-verify).
import type * as df from "durable-functions";
import { type ProvisionTiming } from "../provisionOrchestrator";
import { diagnoseReplicationError } from "../../errors/mysqlErrors";
import { startAndVerify } from "./startAndVerify";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

/** Ends once replication runs; throws StepFailed with the diagnosed error otherwise. */
export function* startRelinked(
  run: LinkOperationRun,
  link: ClaimedLink,
  timing: ProvisionTiming,
): Generator<df.Task, void, unknown> {
  yield* startAndVerify(run.context, {
    replica: link.replica,
    fqdn: link.fqdn,
    timing,
    unavailableMessage: "Starting replication failed after retries",
    diagnose: (errno, message) => diagnoseReplicationError(errno, message),
    diagnoseTransientAtDeadline: false,
    onReplication: (replication) => {
      run.report.replication = replication;
    },
  });
}
