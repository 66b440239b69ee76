// What the activities and the HTTP API run on, built once from the validated settings; tests and the local host use the same wiring.
import { type AppConfig, appConfig } from "../config/appConfig";
import { azureCredential } from "../azure/azureCredential";
import { createSecretResolver } from "../secrets/secretResolver";
import { type ReplicaManager, type ReplicaTarget } from "../replica/replicaManager";
import { createSingleServerManager } from "../replica/singleServerManager";
import { createFlexibleServerManager } from "../replica/flexibleServerManager";
import {
  type LinkRegistry,
  type TableClientRetries,
  createLinkRegistry,
  createTableClient,
} from "../registry/linkRegistry";
import { createHealthHistory, type HealthHistory } from "../health/healthHistory";
import { type RevalidationDependencies } from "../health/revalidationDependencies";
import { createLoadProgressStore, type LoadProgressStore } from "../load/loadProgressStore";

/** In the app's storage account beside the registry; the role already grants table data access there. */
const LOAD_PROGRESS_TABLE_NAME = "ReplicationLoadProgress";

/** Everything the activities run on: what a re-validation needs (declared once, in shared/health), and the load's progress. */
export type WorkflowDependencies = RevalidationDependencies & { loadProgress: LoadProgressStore };

/** What both sides share: the settings, the secret resolver and one ARM client per server (with its token cache). */
type Services = Pick<WorkflowDependencies, "config" | "secrets" | "replicaManager">;

let services: Services | undefined;
let workflow: WorkflowDependencies | undefined;
let api: WorkflowDependencies | undefined;

function buildServices(config: AppConfig): Services {
  const credential = () => azureCredential(config);
  const managers = new Map<string, ReplicaManager>();
  return {
    config,
    secrets: createSecretResolver({
      credential,
      env: process.env,
      allowedVaultHosts: config.KEY_VAULT_ALLOWED_HOSTS,
      appSettingPrefix: config.SECRET_APP_SETTING_PREFIX,
    }),
    replicaManager(target: ReplicaTarget): ReplicaManager {
      // One manager (and SDK client, with its token cache) per server: a re-validation pass over many links
      // must not build a client and fetch a token per link.
      const key = [target.kind, target.subscriptionId, target.resourceGroup, target.serverName]
        .join("|")
        .toLowerCase();
      let manager = managers.get(key);
      if (!manager) {
        // The one place the kind matters: everything downstream asks the manager for its capabilities.
        if (target.kind === "single") manager = createSingleServerManager(target, credential(), config);
        else if (target.kind === "flexible")
          manager = createFlexibleServerManager(target, credential(), config);
        else throw new Error(`Replica kind ${String(target.kind)} is not supported.`);
        managers.set(key, manager);
      }
      return manager;
    },
  };
}

/** The shared services with Table stores whose clients retry (or not) as `retries` says; each store made on first use. */
function withTables(shared: Services, retries: TableClientRetries): WorkflowDependencies {
  const { config } = shared;
  const credential = () => azureCredential(config);
  let registry: LinkRegistry | undefined;
  let healthHistory: HealthHistory | undefined;
  let loadProgress: LoadProgressStore | undefined;
  return {
    config,
    secrets: shared.secrets,
    replicaManager: (target) => shared.replicaManager(target),
    get registry(): LinkRegistry {
      registry ??= createLinkRegistry(
        createTableClient(config, config.REGISTRY_TABLE_NAME, credential, retries),
      );
      return registry;
    },
    get healthHistory(): HealthHistory {
      healthHistory ??= createHealthHistory(
        createTableClient(config, config.HEALTH_TABLE_NAME, credential, retries),
      );
      return healthHistory;
    },
    get loadProgress(): LoadProgressStore {
      loadProgress ??= createLoadProgressStore(
        createTableClient(config, LOAD_PROGRESS_TABLE_NAME, credential, retries),
      );
      return loadProgress;
    },
  };
}

function sharedServices(): Services {
  services ??= buildServices(appConfig());
  return services;
}

/**
 * The activities' dependencies: the SDK's own Table retries are off, the activity's durable retry policy is the one
 * layer. Built lazily, once per process, so loading the function modules stays cheap.
 */
export function workflowDependencies(): WorkflowDependencies {
  workflow ??= withTables(sharedServices(), { sdkRetries: false });
  return workflow;
}

/**
 * The HTTP API's dependencies: the same services, but Table clients that keep the SDK's retries, since nothing around
 * an HTTP request retries. Built lazily, once per process, from the same settings.
 */
export function apiWorkflowDependencies(): WorkflowDependencies {
  api ??= withTables(sharedServices(), { sdkRetries: true });
  return api;
}

export function resetWorkflowDependenciesForTests(): void {
  services = undefined;
  workflow = undefined;
  api = undefined;
}
