// What the activities run on, built once from the validated settings; tests and the local host use the same wiring.
import { type AppConfig, appConfig } from "../config/appConfig";
import { azureCredential } from "../azure/azureCredential";
import { createSecretResolver } from "../secrets/secretResolver";
import { type ReplicaManager, type ReplicaTarget } from "../replica/replicaManager";
import { createSingleServerManager } from "../replica/singleServerManager";
import { createFlexibleServerManager } from "../replica/flexibleServerManager";
import { createLinkRegistry, createTableClient, type LinkRegistry } from "../registry/linkRegistry";
import { createHealthHistory, type HealthHistory } from "../health/healthHistory";
import { type RevalidationDependencies } from "../health/revalidationDependencies";
import { createLoadProgressStore, type LoadProgressStore } from "../load/loadProgressStore";

/** In the app's storage account beside the registry; the role already grants table data access there. */
const LOAD_PROGRESS_TABLE_NAME = "ReplicationLoadProgress";

/** Everything the activities run on: what a re-validation needs (declared once, in shared/health), and the load's progress. */
export type WorkflowDependencies = RevalidationDependencies & { loadProgress: LoadProgressStore };

let cached: WorkflowDependencies | undefined;

function build(config: AppConfig): WorkflowDependencies {
  const credential = () => azureCredential(config);
  let registry: LinkRegistry | undefined;
  let healthHistory: HealthHistory | undefined;
  let loadProgress: LoadProgressStore | undefined;
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
    get registry(): LinkRegistry {
      registry ??= createLinkRegistry(createTableClient(config, config.REGISTRY_TABLE_NAME, credential));
      return registry;
    },
    get healthHistory(): HealthHistory {
      healthHistory ??= createHealthHistory(createTableClient(config, config.HEALTH_TABLE_NAME, credential));
      return healthHistory;
    },
    get loadProgress(): LoadProgressStore {
      loadProgress ??= createLoadProgressStore(
        createTableClient(config, LOAD_PROGRESS_TABLE_NAME, credential),
      );
      return loadProgress;
    },
  };
}

/** The process's dependencies; built lazily so loading the function modules stays cheap. */
export function workflowDependencies(): WorkflowDependencies {
  cached ??= build(appConfig());
  return cached;
}

export function resetWorkflowDependenciesForTests(): void {
  cached = undefined;
}
