// The health probe (timer every minute by default), its orchestrator and its two activities.
import { app } from "@azure/functions";
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { startScheduledPass } from "../shared/workflow/singletonInstance";
import { probeRuntime } from "../shared/workflow/probeRuntime";
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

df.app.activity(PLAN_PROBE_BATCHES_ACTIVITY, { handler: createPlanProbeBatchesActivity(probeRuntime) });
df.app.activity(PROBE_BATCH_ACTIVITY, { handler: createProbeBatchActivity(probeRuntime) });

app.timer("healthProbeTimer", {
  schedule: "%HEALTH_PROBE_SCHEDULE%",
  extraInputs: [df.input.durableClient()],
  handler: (_timer, context) =>
    startScheduledPass(df.getClient(context), context, {
      label: "health probe",
      orchestrator: PROBE_ORCHESTRATOR,
      instanceId: SCHEDULED_PROBE_INSTANCE,
      input: (): ProbeInput => ({ batchSize: appConfig().HEALTH_PROBE_BATCH_SIZE }),
    }),
});
