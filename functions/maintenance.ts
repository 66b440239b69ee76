// Scheduled re-validation (timer), the re-validation and teardown orchestrators, and their activities.
import { app, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { workflowDependencies } from "../shared/workflow/dependencies";
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

const activities = {
  [LIST_ACTIVE_LINKS_ACTIVITY]: createListActiveLinksActivity,
  [REVALIDATE_LINK_ACTIVITY]: createRevalidateLinkActivity,
  [LOAD_LINK_ACTIVITY]: createLoadLinkActivity,
  [SET_LINK_STATE_ACTIVITY]: createSetLinkStateActivity,
};
for (const [name, factory] of Object.entries(activities)) {
  const handler = factory(workflowDependencies) as (
    input: never,
    context: InvocationContext,
  ) => Promise<unknown>;
  df.app.activity(name, { handler: (input: unknown, context) => handler(input as never, context) });
}

app.timer("revalidationTimer", {
  schedule: "%REVALIDATION_SCHEDULE%",
  extraInputs: [df.input.durableClient()],
  handler: async (_timer, context) => {
    const client = df.getClient(context);
    try {
      const current = await client.getStatus(SCHEDULED_REVALIDATION_INSTANCE, { showInput: false });
      if (["Running", "Pending", "ContinuedAsNew"].includes(current.runtimeStatus)) {
        context.log("re-validation skipped: the previous pass is still running");
        return;
      }
    } catch {
      // No previous pass.
    }
    const input: RevalidationInput = { concurrency: appConfig().REVALIDATION_CONCURRENCY };
    await client.startNew(REVALIDATION_ORCHESTRATOR, { instanceId: SCHEDULED_REVALIDATION_INSTANCE, input });
    context.log("re-validation pass started");
  },
});
