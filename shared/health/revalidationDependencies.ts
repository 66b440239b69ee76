// What a re-validation runs on; the workflow's dependencies satisfy it, so shared/health needs nothing from shared/workflow.
import { type AppConfig } from "../config/appConfig";
import { type SecretResolver } from "../secrets/secretResolver";
import { type ReplicaManager, type ReplicaTarget } from "../replica/replicaManager";
import { type LinkRegistry } from "../registry/linkRegistry";
import { type HealthHistory } from "./healthHistory";

export interface RevalidationDependencies {
  config: AppConfig;
  secrets: SecretResolver;
  replicaManager(target: ReplicaTarget): ReplicaManager;
  registry: LinkRegistry;
  healthHistory: HealthHistory;
}
