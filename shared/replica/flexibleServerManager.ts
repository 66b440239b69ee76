// Replica management for Azure Database for MySQL Flexible Server through @azure/arm-mysql-flexible.
import type { TokenCredential } from "@azure/core-auth";
import type { MySQLManagementFlexibleServerClient } from "@azure/arm-mysql-flexible";
import { type AppConfig } from "../config/appConfig";
import {
  type ReplicaManager,
  type ReplicaServerInfo,
  type ReplicaTarget,
  isNotFound,
  firewallRuleOperations,
} from "./replicaManager";

export function createFlexibleServerManager(
  target: ReplicaTarget,
  credential: TokenCredential,
  settings: Pick<AppConfig, "ARM_ENDPOINT" | "ARM_LRO_POLL_INTERVAL_MS">,
): ReplicaManager {
  // Loaded on first use so the function app's cold start does not pay for the ARM SDK.
  type FlexibleSdk = typeof import("@azure/arm-mysql-flexible");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@azure/arm-mysql-flexible") as FlexibleSdk;
  const Client = sdk.MySQLManagementFlexibleServerClient;
  const endpoint = settings.ARM_ENDPOINT.replace(/\/+$/, "");
  // $host for URLs and endpoint for the token scope point at the same cloud; the orchestrator's retry policy is the
  // one layer that retries, so the client's own retries are off.
  const client: MySQLManagementFlexibleServerClient = new Client(credential, target.subscriptionId, {
    endpoint,
    $host: endpoint,
    retryOptions: { maxRetries: 0 },
  });
  const poll = { updateIntervalInMs: settings.ARM_LRO_POLL_INTERVAL_MS };
  const { resourceGroup, serverName } = target;

  return {
    firewallDirection: "sourceAdmitsReplica",
    supportsGtidLinking: true,
    async getServer(): Promise<ReplicaServerInfo | null> {
      try {
        const server = await client.servers.get(resourceGroup, serverName);
        return {
          kind: "flexible",
          name: server.name ?? serverName,
          fqdn: server.fullyQualifiedDomainName ?? "",
          version: server.version ?? "",
          tier: server.sku?.tier ?? "",
          skuName: server.sku?.name ?? "",
          state: server.state ?? "",
          // Flexible Server has no sslEnforcement property: TLS is the require_secure_transport server parameter.
          sslEnforcement: null,
          publicNetworkAccess: server.network?.publicNetworkAccess ?? null,
          highAvailabilityMode: server.highAvailability?.mode ?? null,
          administratorLogin: server.administratorLogin ?? null,
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    // The replica's own firewall rules admit clients such as this app; replication needs none, so the workflow
    // never calls these for Flexible Server. They work, for completeness and for operators' tooling.
    ...firewallRuleOperations(client.firewallRules, resourceGroup, serverName, poll),
    adminLogin(adminUser: string): string {
      // Flexible Server logs in with the plain name; tolerate a user@server pasted from Single Server habits.
      const at = adminUser.indexOf("@");
      return at > 0 && adminUser.slice(at + 1) === serverName ? adminUser.slice(0, at) : adminUser;
    },
  };
}
