// The last step of a rotation or cutover: hand the link back with its new state, its last error and what changed.
import type * as df from "durable-functions";
import { z } from "zod";
import { REGISTRY_RETRY } from "../retryPolicies";
import { RELEASE_LINK_ACTIVITY, type ReleaseLinkInput } from "../activities/linkClaimActivities";
import { registryUnavailable } from "./registryUnavailable";
import { callActivity } from "./callActivity";
import { type LinkOperationRun } from "./linkOperationRun";

/** How a run leaves the link: its state, and on success the fields it changed. */
export interface Release {
  state: ReleaseLinkInput["state"];
  changes?: ReleaseLinkInput["changes"];
}

/** A link's new binlog coordinates as the registry row's fields; none for a GTID link. */
export function coordinateChanges(
  coordinates: { file: string; position: number } | null,
): Pick<NonNullable<ReleaseLinkInput["changes"]>, "binlogFile" | "binlogPosition"> {
  return coordinates ? { binlogFile: coordinates.file, binlogPosition: coordinates.position } : {};
}

/** The state the row holds after the release, or null when a teardown took the link over meanwhile. */
const releaseLinkResultSchema = z.string().nullable();

export function* releaseLink(
  run: LinkOperationRun,
  heldAs: ReleaseLinkInput["heldAs"],
  release: Release,
): Generator<df.Task, void, unknown> {
  const { report } = run;
  const input: ReleaseLinkInput = {
    id: report.id,
    heldAs,
    at: run.now().toISOString(),
    state: release.state,
    lastError: report.error ? `${report.error.code}: ${report.error.message}` : null,
    ...(release.changes ? { changes: release.changes } : {}),
  };
  yield* callActivity(
    run.context,
    { name: RELEASE_LINK_ACTIVITY, policy: REGISTRY_RETRY, input, schema: releaseLinkResultSchema },
    registryUnavailable("Releasing the link"),
  );
}
