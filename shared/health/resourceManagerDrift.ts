// Re-validation's Resource Manager pass: the replica server, its table filter and (Single Server) the source's firewall rule.
import { type LinkRecord } from "../registry/linkRegistry";
import { type ReplicaManager } from "../replica/replicaManager";
import { IGNORE_TABLE_PARAMETER } from "../request/tableFilters";
import { judgeSourceAddress } from "../source/sourceAddress";
import { replicaNetworkVerdict } from "../domain/replicaPolicy";
import { type RevalidationDependencies } from "./revalidationDependencies";
import { type RevalidationFindings } from "./revalidationFindings";
import { replicaServerDrift } from "./replicaServerDrift";
import { tableFilterDrift } from "./tableFilterDrift";

/** Recreates a missing rule or moves it to the source's new address; returns the address the rule admits. */
async function repairFirewallRule(
  deps: RevalidationDependencies,
  record: LinkRecord,
  ruleName: string,
  manager: ReplicaManager,
  out: RevalidationFindings,
): Promise<string | null> {
  const address = await judgeSourceAddress(record.source.host, {
    allowPrivate: deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
  });
  // A refused address never goes into a firewall rule; the recorded one stays.
  const wanted = address.connectTo ?? record.sourceIpv4;
  const rule = await manager.getFirewallRule(ruleName);
  if (rule && (!wanted || rule.startIpAddress === wanted)) return wanted;
  out.drift.push(
    !rule
      ? {
          code: "FIREWALL_RULE_MISSING",
          message: `Firewall rule ${ruleName} is gone from the replica.`,
          remedy: "Re-validation recreates it.",
        }
      : {
          code: "SOURCE_ADDRESS_CHANGED",
          message: `The source now resolves to ${wanted}, but rule ${ruleName} admits ${rule.startIpAddress}.`,
          remedy: "Re-validation updates the rule.",
        },
  );
  if (!wanted) return wanted;
  try {
    await manager.putFirewallRule(ruleName, wanted);
    out.recovery.push({
      action: "recreateFirewallRule",
      outcome: "done",
      detail: `${ruleName} for ${wanted}`,
    });
  } catch (error) {
    out.recovery.push({
      action: "recreateFirewallRule",
      outcome: "failed",
      detail: (error as Error).message,
    });
  }
  return wanted;
}

/** Adds what Resource Manager shows to `out`; returns the source address the link now admits (the recorded one otherwise). */
export async function resourceManagerDrift(
  deps: RevalidationDependencies,
  record: LinkRecord,
  manager: ReplicaManager,
  out: RevalidationFindings,
): Promise<string | null> {
  const server = await manager.getServer();
  const allowedTiers =
    record.replica.kind === "single"
      ? deps.config.SINGLE_SERVER_ALLOWED_TIERS
      : deps.config.FLEXIBLE_SERVER_ALLOWED_TIERS;
  out.drift.push(...replicaServerDrift({ ...record.replica, linking: record.linking }, server, allowedTiers));
  if (!server) return null;
  if (server.kind === "flexible" && replicaNetworkVerdict(server) === "vnetIntegrated") {
    out.vnetSubnet = server.delegatedSubnetResourceId;
  }
  if (record.tableFilters) {
    const parameter = await manager.getServerParameter(IGNORE_TABLE_PARAMETER);
    const finding = tableFilterDrift(record.tableFilters, parameter?.value ?? "");
    if (finding) out.drift.push(finding);
  }
  if (record.firewallRuleName && manager.firewallDirection === "replicaAdmitsSource") {
    return repairFirewallRule(deps, record, record.firewallRuleName, manager, out);
  }
  return record.sourceIpv4;
}
