// The health probe (timer every minute by default), its orchestrator and its two activities.
import { app, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { probeRuntime } from "../shared/probe/probeDependencies";
import {
  PROBE_ORCHESTRATOR,
  SCHEDULED_PROBE_INSTANCE,
  type ProbeInput,
  probeOrchestrator,
} from "../shared/workflow/probeOrchestrator";
import {
  PLAN_PROBE_BATCHES_ACTIVITY,
  PROBE_BATCH_ACTIVITY,
  createPlanProbeBatchesActivity,
  createProbeBatchActivity,
} from "../shared/workflow/activities/probeActivities";

df.app.orchestration(PROBE_ORCHESTRATOR, probeOrchestrator);

const activities = {
  [PLAN_PROBE_BATCHES_ACTIVITY]: createPlanProbeBatchesActivity,
  [PROBE_BATCH_ACTIVITY]: createProbeBatchActivity,
};
for (const [name, factory] of Object.entries(activities)) {
  const handler = factory(probeRuntime) as (input: never, context: InvocationContext) => Promise<unknown>;
  df.app.activity(name, { handler: (input: unknown, context) => handler(input as never, context) });
}

app.timer("healthProbeTimer", {
  schedule: "%HEALTH_PROBE_SCHEDULE%",
  extraInputs: [df.input.durableClient()],
  handler: async (_timer, context) => {
    const client = df.getClient(context);
    try {
      const current = await client.getStatus(SCHEDULED_PROBE_INSTANCE, { showInput: false });
      if (["Running", "Pending", "ContinuedAsNew"].includes(current.runtimeStatus)) {
        context.log("health probe skipped: the previous pass is still running");
        return;
      }
    } catch {
      // No previous pass.
    }
    const input: ProbeInput = { batchSize: appConfig().HEALTH_PROBE_BATCH_SIZE };
    await client.startNew(PROBE_ORCHESTRATOR, { instanceId: SCHEDULED_PROBE_INSTANCE, input });
  },
});
