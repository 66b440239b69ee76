// Undo (rotation): re-make the link with the previous password and CA at what has been applied by now, and start it.
import type * as df from "durable-functions";
import { ROLLBACK_RETRY } from "../retryPolicies";
import { type ProvisionTiming } from "../provisionOrchestrator";
import {
  RELINK_REPLICA_ACTIVITY,
  type RelinkReplicaInput,
  relinkReplicaResultSchema,
} from "../activities/rotationActivities";
import { callActivity, valueOf } from "./callActivity";
import { attemptUndo, retriesRanOut } from "./attemptUndo";
import { startRelinked } from "./startRelinked";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* putOldLinkBack(
  run: LinkOperationRun,
  link: ClaimedLink,
  timing: ProvisionTiming,
): Generator<df.Task, void, unknown> {
  const { report } = run;
  const failure = yield* attemptUndo(relinkAsBefore(run, link, timing));
  report.rolledBack = report.rolledBack !== false && failure === null;
  if (failure === null) return;
  report.rollback.push(`putting the old link back failed: ${failure}`);
  if (report.error)
    report.error = { ...report.error, message: `${report.error.message} Rollback also failed: ${failure}` };
}

function* relinkAsBefore(
  run: LinkOperationRun,
  link: ClaimedLink,
  timing: ProvisionTiming,
): Generator<df.Task, void, unknown> {
  const { record, replica, fqdn, source } = link;
  const input: RelinkReplicaInput = { replica, fqdn, source, linking: record.linking };
  const { coordinates } = valueOf(
    yield* callActivity(
      run.context,
      { name: RELINK_REPLICA_ACTIVITY, policy: ROLLBACK_RETRY, input, schema: relinkReplicaResultSchema },
      retriesRanOut,
    ),
  );
  run.report.rollback.push(
    `re-linked with the previous password and CA ${
      coordinates ? `at ${coordinates.file}:${coordinates.position}` : "by GTID auto-position"
    }`,
  );
  yield* startRelinked(run, link, timing);
  run.report.rollback.push("replication runs again with the previous values");
}
