// Replica management for Azure Database for MySQL Single Server through @azure/arm-mysql.
import type { TokenCredential } from "@azure/core-auth";
import type { MySQLManagementClient } from "@azure/arm-mysql";
import { type AppConfig } from "../config/appConfig";
import {
  type ReplicaManager,
  type ReplicaServerInfo,
  type ReplicaTarget,
  isNotFound,
  firewallRuleOperations,
  readServerParameter,
} from "./replicaManager";

export function createSingleServerManager(
  target: ReplicaTarget,
  credential: TokenCredential,
  settings: Pick<AppConfig, "ARM_ENDPOINT" | "ARM_LRO_POLL_INTERVAL_MS">,
): ReplicaManager {
  // Loaded on first use so the function app's cold start does not pay for the ARM SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MySQLManagementClient: Client } = require("@azure/arm-mysql") as typeof import("@azure/arm-mysql");
  const endpoint = settings.ARM_ENDPOINT.replace(/\/+$/, "");
  // The generated client builds URLs from $host and the token scope from endpoint: both must point at the same cloud.
  // Its own retries are off: the orchestrator's retry policy is the one layer that retries (visible in the history).
  const client: MySQLManagementClient = new Client(credential, target.subscriptionId, {
    endpoint,
    $host: endpoint,
    retryOptions: { maxRetries: 0 },
  });
  const poll = { updateIntervalInMs: settings.ARM_LRO_POLL_INTERVAL_MS };
  const { resourceGroup, serverName } = target;

  return {
    firewallDirection: "replicaAdmitsSource",
    async getServer(): Promise<ReplicaServerInfo | null> {
      try {
        const server = await client.servers.get(resourceGroup, serverName);
        return {
          kind: "single",
          name: server.name ?? serverName,
          fqdn: server.fullyQualifiedDomainName ?? "",
          version: server.version ?? "",
          tier: server.sku?.tier ?? "",
          skuName: server.sku?.name ?? "",
          state: server.userVisibleState ?? "",
          sslEnforcement: server.sslEnforcement ?? null,
          publicNetworkAccess: server.publicNetworkAccess ?? null,
          delegatedSubnetResourceId: null,
          highAvailabilityMode: null,
          administratorLogin: server.administratorLogin ?? null,
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    ...firewallRuleOperations(client.firewallRules, resourceGroup, serverName, poll),
    getServerParameter(name: string) {
      return readServerParameter(() => client.configurations.get(resourceGroup, serverName, name), name);
    },
    async setServerParameter(name: string, value: string): Promise<void> {
      // Configurations_CreateOrUpdate (PUT, long-running). Single Server's data-in replication docs name
      // replicate_wild_ignore_table as the supported filter, set through the portal or the CLI: this same call.
      await client.configurations.beginCreateOrUpdateAndWait(
        resourceGroup,
        serverName,
        name,
        { value, source: "user-override" },
        poll,
      );
    },
    adminLogin(adminUser: string): string {
      return adminUser.includes("@") ? adminUser : `${adminUser}@${serverName}`;
    },
  };
}
