// Step (cutover): stop or start replication on the replica (both idempotent); the replica's progress after it.
import type * as df from "durable-functions";
import {
  type ReplicaProgress,
  SET_REPLICATION_RUNNING_ACTIVITY,
  type SetReplicationRunningInput,
  readReplicaProgressResultSchema,
} from "../activities/cutoverActivities";
import { type Unavailable, callActivity, valueOf } from "./callActivity";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* setReplicationRunning(
  run: LinkOperationRun,
  link: ClaimedLink,
  running: boolean,
  policy: df.RetryOptions,
  unavailable: Unavailable,
): Generator<df.Task, ReplicaProgress, unknown> {
  const input: SetReplicationRunningInput = { replica: link.replica, fqdn: link.fqdn, running };
  return valueOf(
    yield* callActivity(
      run.context,
      { name: SET_REPLICATION_RUNNING_ACTIVITY, policy, input, schema: readReplicaProgressResultSchema },
      unavailable,
    ),
  );
}
