// Step (cutover): remove the link and the firewall rule this app created, and put the table filter parameter back.
import type * as df from "durable-functions";
import { StepFailed } from "./callActivity";
import { unlinkReplica } from "./unlinkReplica";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* removeLink(run: LinkOperationRun, link: ClaimedLink): Generator<df.Task, void, unknown> {
  run.begin("removingLink");
  const removal = yield* unlinkReplica(run.context, link.record);
  for (const action of removal.actions)
    if (action.outcome === "done") run.report.changes.push(`${action.action}: ${action.detail}`);
  // The link may be half-removed; starting it again (the undo) is the best way back, and says so when it cannot.
  if (!removal.ok)
    throw new StepFailed({
      code: "UNLINK_FAILED",
      message: `Removing the link failed: ${removal.error}`,
      remedy: "Retry the cutover; it resumes from the replica's state.",
    });
}
