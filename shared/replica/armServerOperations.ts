// What the Single and Flexible Server managers share: the ARM client's settings, and every operation both SDKs generate alike.
import { type AppConfig } from "../config/appConfig";
import {
  type FirewallRuleInfo,
  type ReplicaManager,
  type ReplicaServerInfo,
  type ReplicaTarget,
  type ServerParameterInfo,
  isNotFound,
} from "./replicaManager";

type ArmSettings = Pick<AppConfig, "ARM_ENDPOINT" | "ARM_LRO_POLL_INTERVAL_MS">;
type Poll = { updateIntervalInMs: number };

/** The options either SDK's client is built with, and the polling interval of its long-running operations. */
export function armClientSettings(settings: ArmSettings) {
  const endpoint = settings.ARM_ENDPOINT.replace(/\/+$/, "");
  return {
    endpoint,
    // The generated clients build URLs from $host and the token scope from endpoint: both must point at the same
    // cloud. Their own retries are off: the orchestrator's retry policy is the one layer that retries (visible in the
    // history).
    clientOptions: { endpoint, $host: endpoint, retryOptions: { maxRetries: 0 } },
    poll: { updateIntervalInMs: settings.ARM_LRO_POLL_INTERVAL_MS } satisfies Poll,
  };
}

/** A request whose 404 means "not there": null then, anything else thrown. */
async function notFoundAsNull<T>(request: () => Promise<T>): Promise<T | null> {
  try {
    return await request();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** The fields of a server that both SDKs' Server models have under the same names. */
interface ArmServer {
  name?: string;
  fullyQualifiedDomainName?: string;
  version?: string;
  sku?: { name?: string; tier?: string };
  administratorLogin?: string;
}

/** What ReplicaServerInfo takes from the fields only one kind's model has (or that it names differently). */
type KindServerFields = Pick<
  ReplicaServerInfo,
  "state" | "sslEnforcement" | "publicNetworkAccess" | "delegatedSubnetResourceId" | "highAvailabilityMode"
>;

/** A configuration as both MySQL management SDKs return it. */
interface ArmConfiguration {
  name?: string;
  value?: string;
  defaultValue?: string;
  isReadOnly?: string;
}

/** The firewall-rule operations both MySQL management SDKs generate with the same names and shapes. */
interface FirewallRulesApi {
  get(
    resourceGroup: string,
    server: string,
    rule: string,
  ): Promise<{ name?: string; startIpAddress: string; endIpAddress: string }>;
  beginCreateOrUpdateAndWait(
    resourceGroup: string,
    server: string,
    rule: string,
    parameters: { startIpAddress: string; endIpAddress: string },
    options: Poll,
  ): Promise<unknown>;
  beginDeleteAndWait(resourceGroup: string, server: string, rule: string, options: Poll): Promise<unknown>;
}

/** What one kind's SDK client brings to the operations both kinds have. */
interface ArmServerApi<Server extends ArmServer> {
  target: ReplicaTarget;
  poll: Poll;
  /** The SDK's servers.get of the target. */
  getServer(): Promise<Server>;
  kindFields(server: Server): KindServerFields;
  firewallRules: FirewallRulesApi;
  /** The SDK's configurations.get of the target. */
  getConfiguration(name: string): Promise<ArmConfiguration>;
}

/** The reads and firewall operations of a replica manager, alike for both kinds; 404 means "not there". */
export function armServerOperations<Server extends ArmServer>(
  api: ArmServerApi<Server>,
): Pick<
  ReplicaManager,
  "getServer" | "getFirewallRule" | "putFirewallRule" | "deleteFirewallRule" | "getServerParameter"
> {
  const { kind, resourceGroup, serverName } = api.target;
  const { firewallRules: rules, poll } = api;
  return {
    async getServer(): Promise<ReplicaServerInfo | null> {
      const server = await notFoundAsNull(() => api.getServer());
      if (!server) return null;
      return {
        kind,
        name: server.name ?? serverName,
        fqdn: server.fullyQualifiedDomainName ?? "",
        version: server.version ?? "",
        tier: server.sku?.tier ?? "",
        skuName: server.sku?.name ?? "",
        ...api.kindFields(server),
        administratorLogin: server.administratorLogin ?? null,
      };
    },
    async getFirewallRule(ruleName: string): Promise<FirewallRuleInfo | null> {
      const rule = await notFoundAsNull(() => rules.get(resourceGroup, serverName, ruleName));
      return (
        rule && {
          name: rule.name ?? ruleName,
          startIpAddress: rule.startIpAddress,
          endIpAddress: rule.endIpAddress,
        }
      );
    },
    async putFirewallRule(ruleName: string, ipv4: string): Promise<void> {
      await rules.beginCreateOrUpdateAndWait(
        resourceGroup,
        serverName,
        ruleName,
        { startIpAddress: ipv4, endIpAddress: ipv4 },
        poll,
      );
    },
    async deleteFirewallRule(ruleName: string): Promise<void> {
      await notFoundAsNull(() => rules.beginDeleteAndWait(resourceGroup, serverName, ruleName, poll));
    },
    async getServerParameter(name: string): Promise<ServerParameterInfo | null> {
      const found = await notFoundAsNull(() => api.getConfiguration(name));
      return (
        found && {
          name: found.name ?? name,
          value: found.value ?? "",
          defaultValue: found.defaultValue ?? "",
          isReadOnly: found.isReadOnly === "True",
        }
      );
    },
  };
}
