// The health probe (timer every minute by default), its orchestrator and its two activities.
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { probeRuntime } from "../shared/workflow/probeRuntime";
import { scheduledPassTimer } from "./wiring/durableTriggers";
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

scheduledPassTimer("healthProbeTimer", "%HEALTH_PROBE_SCHEDULE%", {
  label: "health probe",
  orchestrator: PROBE_ORCHESTRATOR,
  instanceId: SCHEDULED_PROBE_INSTANCE,
  input: (): ProbeInput => ({ batchSize: appConfig().HEALTH_PROBE_BATCH_SIZE }),
});
