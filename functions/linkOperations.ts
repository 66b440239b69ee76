// Rotation and cutover: their orchestrators, activities and HTTP routes, wired to the shared dependencies.
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { apiWorkflowDependencies, workflowDependencies } from "../shared/workflow/dependencies";
import { createLinkOperationsApi } from "../shared/api/linkOperationsApi";
import { durableHttpRoute } from "./wiring/durableTriggers";
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

df.app.activity(CLAIM_LINK_ACTIVITY, { handler: createClaimLinkActivity(workflowDependencies) });
df.app.activity(RELEASE_LINK_ACTIVITY, { handler: createReleaseLinkActivity(workflowDependencies) });
df.app.activity(CHECK_SOURCE_LOGIN_ACTIVITY, {
  handler: createCheckSourceLoginActivity(workflowDependencies),
});
df.app.activity(RELINK_REPLICA_ACTIVITY, { handler: createRelinkReplicaActivity(workflowDependencies) });
df.app.activity(READ_SOURCE_POSITION_ACTIVITY, {
  handler: createReadSourcePositionActivity(workflowDependencies),
});
df.app.activity(READ_REPLICA_PROGRESS_ACTIVITY, {
  handler: createReadReplicaProgressActivity(workflowDependencies),
});
df.app.activity(SET_REPLICATION_RUNNING_ACTIVITY, {
  handler: createSetReplicationRunningActivity(workflowDependencies),
});
df.app.activity(COMPARE_CHECKSUMS_ACTIVITY, {
  handler: createCompareChecksumsActivity(workflowDependencies),
});

// The routes get their own dependencies: Table clients that keep the SDK's retries, as nothing retries a request.
const api = createLinkOperationsApi({ config: appConfig, workflow: apiWorkflowDependencies });

durableHttpRoute("rotateReplicationHttp", ["PATCH"], "replications/{id}", (request, client, context) =>
  api.rotate(request, client, context),
);
durableHttpRoute("cutOverReplicationHttp", ["POST"], "replications/{id}/cutover", (request, client) =>
  api.cutover(request, client),
);
durableHttpRoute(
  "getReplicationOperation",
  ["GET"],
  "replications/{id}/operations/{operation}",
  (request, client) => api.status(request, client),
);
