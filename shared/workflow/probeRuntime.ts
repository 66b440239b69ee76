// What the probe's activities (and the dashboard) run on: the workflow's dependencies (beside it here) plus the probe's own tables; built once per process.
import type { TableClient } from "@azure/data-tables";
import { azureCredential } from "../azure/azureCredential";
import { type TableClientRetries, createTableClient } from "../registry/linkRegistry";
import { type AlertWebhook, createAlertWebhook } from "../probe/alertWebhook";
import { type ProbeDependencies } from "../probe/probeBatch";
import { type ProbeStore, createProbeStore } from "../probe/probeStore";
import { createProbeTelemetry } from "../probe/probeTelemetry";
import { type WorkflowDependencies, apiWorkflowDependencies, workflowDependencies } from "./dependencies";

export interface ProbeRuntime {
  workflow: WorkflowDependencies;
  registryTable: TableClient;
  store: ProbeStore;
  /** The batch's dependencies, logging through this invocation's log. */
  forBatch(log: (line: string) => void): ProbeDependencies;
  /** The webhook of this process, or null when ALERT_WEBHOOK_URL is unset. */
  webhook(log: (line: string) => void): AlertWebhook | null;
}

let cached: ProbeRuntime | undefined;
let cachedForApi: ProbeRuntime | undefined;
let webhook: AlertWebhook | null | undefined;
let webhookLog: (line: string) => void = () => undefined;

function build(retries: TableClientRetries): ProbeRuntime {
  const workflow = retries.sdkRetries ? apiWorkflowDependencies() : workflowDependencies();
  const config = workflow.config;
  const credential = () => azureCredential(config);
  const registryTable = createTableClient(config, config.REGISTRY_TABLE_NAME, credential, retries);
  const store = createProbeStore(createTableClient(config, config.PROBE_TABLE_NAME, credential, retries));
  const runtime: ProbeRuntime = {
    workflow,
    registryTable,
    store,
    webhook(log) {
      // One per process, so deliveries still retrying from an earlier batch are not lost; logs go to the latest batch.
      webhookLog = log;
      if (webhook === undefined) {
        webhook =
          config.ALERT_WEBHOOK_URL && config.ALERT_WEBHOOK_SECRET
            ? createAlertWebhook({
                url: config.ALERT_WEBHOOK_URL,
                secret: config.ALERT_WEBHOOK_SECRET,
                secrets: workflow.secrets,
                log: (line) => webhookLog(line),
              })
            : null;
      }
      return webhook;
    },
    forBatch(log) {
      return {
        config,
        secrets: workflow.secrets,
        replicaManager: (target) => workflow.replicaManager(target),
        registryTable,
        store,
        telemetry: createProbeTelemetry({ log, env: process.env, credential }),
        webhook: runtime.webhook(log),
      };
    },
  };
  return runtime;
}

/**
 * The probe activities' runtime: Table clients without the SDK's retries, PROBE_RETRY is the one layer. Built lazily,
 * once per process, so loading the function modules stays cheap.
 */
export function probeRuntime(): ProbeRuntime {
  cached ??= build({ sdkRetries: false });
  return cached;
}

/** The dashboard's view of the same tables, through clients that keep the SDK's retries (nothing retries a request). */
export function apiProbeRuntime(): ProbeRuntime {
  cachedForApi ??= build({ sdkRetries: true });
  return cachedForApi;
}
