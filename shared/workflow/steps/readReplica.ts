// Step (cutover): the replica's applied position and replication threads.
import type * as df from "durable-functions";
import { MYSQL_RETRY } from "../retryPolicies";
import {
  READ_REPLICA_PROGRESS_ACTIVITY,
  type ReadReplicaProgressInput,
  type ReplicaProgress,
  readReplicaProgressResultSchema,
} from "../activities/cutoverActivities";
import { callActivity, valueOf } from "./callActivity";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* readReplica(
  run: LinkOperationRun,
  link: ClaimedLink,
): Generator<df.Task, ReplicaProgress, unknown> {
  const input: ReadReplicaProgressInput = { replica: link.replica, fqdn: link.fqdn };
  return valueOf(
    yield* callActivity(
      run.context,
      {
        name: READ_REPLICA_PROGRESS_ACTIVITY,
        policy: MYSQL_RETRY,
        input,
        schema: readReplicaProgressResultSchema,
      },
      (reason) => ({
        code: "REPLICA_UNREACHABLE",
        message: `The replica could not be read after retries: ${reason}`,
        remedy: "Check that the replica is reachable from this app, then POST the cutover again.",
      }),
    ),
  );
}
