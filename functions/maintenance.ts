// Scheduled re-validation (timer), the re-validation and teardown orchestrators, and their activities.
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { workflowDependencies } from "../shared/workflow/dependencies";
import { scheduledPassTimer } from "./wiring/durableTriggers";
import {
  REVALIDATION_ORCHESTRATOR,
  SCHEDULED_REVALIDATION_INSTANCE,
  type RevalidationInput,
  revalidationOrchestrator,
} from "../shared/workflow/revalidationOrchestrator";
import { TEARDOWN_ORCHESTRATOR, teardownOrchestrator } from "../shared/workflow/teardownOrchestrator";
import {
  LIST_ACTIVE_LINKS_ACTIVITY,
  LOAD_LINK_ACTIVITY,
  REVALIDATE_LINK_ACTIVITY,
  SET_LINK_STATE_ACTIVITY,
  createListActiveLinksActivity,
  createLoadLinkActivity,
  createRevalidateLinkActivity,
  createSetLinkStateActivity,
} from "../shared/workflow/activities/linkMaintenanceActivities";

df.app.orchestration(REVALIDATION_ORCHESTRATOR, revalidationOrchestrator);
df.app.orchestration(TEARDOWN_ORCHESTRATOR, teardownOrchestrator);

df.app.activity(LIST_ACTIVE_LINKS_ACTIVITY, { handler: createListActiveLinksActivity(workflowDependencies) });
df.app.activity(REVALIDATE_LINK_ACTIVITY, { handler: createRevalidateLinkActivity(workflowDependencies) });
df.app.activity(LOAD_LINK_ACTIVITY, { handler: createLoadLinkActivity(workflowDependencies) });
df.app.activity(SET_LINK_STATE_ACTIVITY, { handler: createSetLinkStateActivity(workflowDependencies) });

scheduledPassTimer("revalidationTimer", "%REVALIDATION_SCHEDULE%", {
  label: "re-validation",
  orchestrator: REVALIDATION_ORCHESTRATOR,
  instanceId: SCHEDULED_REVALIDATION_INSTANCE,
  input: (): RevalidationInput => ({ concurrency: appConfig().REVALIDATION_CONCURRENCY }),
});
