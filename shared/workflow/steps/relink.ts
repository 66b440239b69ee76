// Step (rotation): stop replication and re-make the link at exactly what the replica has applied, with the new values.
import type * as df from "durable-functions";
import { MYSQL_RETRY } from "../retryPolicies";
import { type SourceSpec } from "../provisionTypes";
import {
  RELINK_REPLICA_ACTIVITY,
  type RelinkReplicaInput,
  relinkReplicaResultSchema,
} from "../activities/rotationActivities";
import { callActivity, valueOf } from "./callActivity";
import { type ClaimedLink, type LinkOperationRun, type Undo } from "./linkOperationRun";

/** Refusals that mean the link was not this run's to touch, or is gone: then there is nothing to put back. */
const NOT_OURS = new Set(["LINK_MISSING", "LINK_CONFLICT"]);

export function* relink(
  run: LinkOperationRun,
  link: ClaimedLink,
  source: SourceSpec,
  /** "password", "CA certificate" or both, for the report. */
  newValues: string,
  /** How to put the old link back, should this or a later step fail. */
  putBack: Undo,
): Generator<df.Task, void, unknown> {
  const { report } = run;
  run.begin("relinking");
  run.undo.push(putBack);
  const input: RelinkReplicaInput = {
    replica: link.replica,
    fqdn: link.fqdn,
    source,
    linking: link.record.linking,
  };
  const result = yield* callActivity(
    run.context,
    { name: RELINK_REPLICA_ACTIVITY, policy: MYSQL_RETRY, input, schema: relinkReplicaResultSchema },
    (reason) => ({
      code: "RELINK_FAILED",
      message: `Re-linking failed after retries: ${reason}`,
      remedy: "Check that the replica is reachable from this app.",
    }),
  );
  if (!result.ok && NOT_OURS.has(result.error.code)) run.undo.pop();
  const { coordinates, gtidExecuted } = valueOf(result);
  report.coordinates = coordinates;
  report.gtidExecuted = gtidExecuted;
  report.changes.push(
    `stopped replication and re-linked ${
      coordinates
        ? `at the applied position ${coordinates.file}:${coordinates.position}`
        : `by GTID auto-position from ${gtidExecuted || "an empty GTID set"}`
    } with the new ${newValues}`,
  );
}
