// Replica management for Azure Database for MySQL Single Server through @azure/arm-mysql.
import type { TokenCredential } from "@azure/core-auth";
import type { MySQLManagementClient } from "@azure/arm-mysql";
import { type AppConfig } from "../config/appConfig";
import { type ReplicaManager, type ReplicaTarget } from "./replicaManager";
import { armClientSettings, armServerOperations } from "./armServerOperations";

export function createSingleServerManager(
  target: ReplicaTarget,
  credential: TokenCredential,
  settings: Pick<AppConfig, "ARM_ENDPOINT" | "ARM_LRO_POLL_INTERVAL_MS">,
): ReplicaManager {
  // Loaded on first use so the function app's cold start does not pay for the ARM SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MySQLManagementClient: Client } = require("@azure/arm-mysql") as typeof import("@azure/arm-mysql");
  const { clientOptions, poll } = armClientSettings(settings);
  const client: MySQLManagementClient = new Client(credential, target.subscriptionId, clientOptions);
  const { resourceGroup, serverName } = target;

  return {
    firewallDirection: "replicaAdmitsSource",
    ...armServerOperations({
      target,
      poll,
      getServer: () => client.servers.get(resourceGroup, serverName),
      kindFields: (server) => ({
        state: server.userVisibleState ?? "",
        sslEnforcement: server.sslEnforcement ?? null,
        publicNetworkAccess: server.publicNetworkAccess ?? null,
        delegatedSubnetResourceId: null,
        highAvailabilityMode: null,
      }),
      firewallRules: client.firewallRules,
      getConfiguration: (name) => client.configurations.get(resourceGroup, serverName, name),
    }),
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
