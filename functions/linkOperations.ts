// Rotation and cutover: their orchestrators, activities and HTTP routes, wired to the shared dependencies.
import { app, type HttpHandler } from "@azure/functions";
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { workflowDependencies } from "../shared/workflow/dependencies";
import { createLinkOperationsApi } from "../shared/api/linkOperationsApi";
import { ROTATION_ORCHESTRATOR, rotationOrchestrator } from "../shared/workflow/rotationOrchestrator";
import { CUTOVER_ORCHESTRATOR, cutoverOrchestrator } from "../shared/workflow/cutoverOrchestrator";
import {
  CLAIM_LINK_ACTIVITY,
  RELEASE_LINK_ACTIVITY,
  createClaimLinkActivity,
  createReleaseLinkActivity,
} from "../shared/workflow/activities/linkClaimActivities";
import {
  CHECK_SOURCE_LOGIN_ACTIVITY,
  RELINK_REPLICA_ACTIVITY,
  createCheckSourceLoginActivity,
  createRelinkReplicaActivity,
} from "../shared/workflow/activities/rotationActivities";
import {
  COMPARE_CHECKSUMS_ACTIVITY,
  READ_REPLICA_PROGRESS_ACTIVITY,
  READ_SOURCE_POSITION_ACTIVITY,
  SET_REPLICATION_RUNNING_ACTIVITY,
  createCompareChecksumsActivity,
  createReadReplicaProgressActivity,
  createReadSourcePositionActivity,
  createSetReplicationRunningActivity,
} from "../shared/workflow/activities/cutoverActivities";

df.app.orchestration(ROTATION_ORCHESTRATOR, rotationOrchestrator);
df.app.orchestration(CUTOVER_ORCHESTRATOR, cutoverOrchestrator);

const activities = {
  [CLAIM_LINK_ACTIVITY]: createClaimLinkActivity,
  [RELEASE_LINK_ACTIVITY]: createReleaseLinkActivity,
  [CHECK_SOURCE_LOGIN_ACTIVITY]: createCheckSourceLoginActivity,
  [RELINK_REPLICA_ACTIVITY]: createRelinkReplicaActivity,
  [READ_SOURCE_POSITION_ACTIVITY]: createReadSourcePositionActivity,
  [READ_REPLICA_PROGRESS_ACTIVITY]: createReadReplicaProgressActivity,
  [SET_REPLICATION_RUNNING_ACTIVITY]: createSetReplicationRunningActivity,
  [COMPARE_CHECKSUMS_ACTIVITY]: createCompareChecksumsActivity,
};
for (const [name, factory] of Object.entries(activities)) {
  const handler = factory(workflowDependencies) as (input: never) => Promise<unknown>;
  df.app.activity(name, { handler: (input: unknown) => handler(input as never) });
}

const api = createLinkOperationsApi({ config: appConfig, workflow: workflowDependencies });

function route(
  name: string,
  methods: ("GET" | "POST" | "PATCH")[],
  path: string,
  handler: HttpHandler,
): void {
  app.http(name, {
    route: path,
    methods,
    authLevel: "function",
    extraInputs: [df.input.durableClient()],
    handler,
  });
}

route("rotateReplicationHttp", ["PATCH"], "replications/{id}", (request, context) =>
  api.rotate(request, df.getClient(context)),
);
route("cutOverReplicationHttp", ["POST"], "replications/{id}/cutover", (request, context) =>
  api.cutover(request, df.getClient(context)),
);
route("getReplicationOperation", ["GET"], "replications/{id}/operations/{operation}", (request, context) =>
  api.status(request, df.getClient(context)),
);
