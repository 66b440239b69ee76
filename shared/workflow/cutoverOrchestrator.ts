// Cutover: wait until the replica has applied all the source wrote, optionally compare checksums, then stop, unlink and mark the link cutOver.
import type * as df from "durable-functions";
import { z } from "zod";
import { linkOperationOrchestrator } from "./steps/linkOperation";
import { type ClaimedLink, type LinkOperationRun } from "./steps/linkOperationRun";
import { type Release, coordinateChanges } from "./steps/releaseLink";
import { checkFitness } from "./steps/checkFitness";
import { waitForReplica } from "./steps/waitForReplica";
import { stopReplication } from "./steps/stopReplication";
import { restartReplication } from "./steps/restartReplication";
import { compareChecksums } from "./steps/compareChecksums";
import { removeLink } from "./steps/removeLink";

export const CUTOVER_ORCHESTRATOR = "cutOverReplication";

export interface CutoverInput {
  id: string;
  /** true: the source must report read_only (or super_read_only); false: the caller says writes have stopped. */
  requireSourceReadOnly: boolean;
  /** How long to wait for the replica to catch up before giving up (nothing changed then). */
  catchUpTimeoutSeconds: number;
  /** Refused at once when the replica is further behind than this. */
  maxLagSeconds: number;
  pollIntervalSeconds: number;
  /** `db.table` names whose CHECKSUM TABLE must be equal on both sides before the link is removed. */
  checksumTables: string[];
}

const inputSchema = z.object({
  id: z.string().min(1),
  requireSourceReadOnly: z.boolean(),
  catchUpTimeoutSeconds: z.number().positive(),
  maxLagSeconds: z.number().nonnegative(),
  pollIntervalSeconds: z.number().positive(),
  checksumTables: z.array(z.string()),
});

export const cutoverOrchestrator = linkOperationOrchestrator<CutoverInput>({
  operation: "cutover",
  inputSchema,
  holdAs: "cuttingOver",
  done: "cut over",
  runbook: cutOver,
});

/** Each step throws StepFailed to end the run; stopping first adds starting replication again to run.undo. */
function* cutOver(
  run: LinkOperationRun,
  link: ClaimedLink,
  input: CutoverInput,
): Generator<df.Task, Release, unknown> {
  const { report } = run;
  // 1. Is the link fit to cut over, and has the source stopped taking writes?
  const start = yield* checkFitness(run, link, input);
  // 2. Wait, on durable timers, until the replica has applied everything the source has written.
  yield* waitForReplica(run, link, input, start);
  // 3. Stop, and make sure the source wrote nothing more meanwhile.
  yield* stopReplication(run, link, () => restartReplication(run, link));
  // 4. Optionally compare checksums of named tables, with both sides quiet.
  if (input.checksumTables.length > 0) yield* compareChecksums(run, link, input.checksumTables);
  // 5. Remove the link and the firewall rule this app created; put the table filter parameter back.
  yield* removeLink(run, link);
  report.outcome = "succeeded";
  report.nextSteps = cutoverNextSteps(link);
  return {
    state: "cutOver",
    ...(report.coordinates ? { changes: coordinateChanges(report.coordinates) } : {}),
  };
}

function cutoverNextSteps(link: ClaimedLink): string[] {
  return [
    `Point the application's connections at the replica, ${link.fqdn} (port 3306, TLS).`,
    "Create the application's accounts and grants on the replica: the mysql schema (users, grants) is not replicated.",
    "Keep the source read-only until the application runs on the replica, then retire it.",
    ...(link.replica.kind === "flexible"
      ? ["Remove the rule on the source's firewall that admitted the replica's outbound address."]
      : []),
  ];
}
