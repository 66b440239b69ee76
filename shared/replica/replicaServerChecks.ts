// Pure: the replica's checks from Resource Manager's view of it: existence, state, tier, network, high availability.
import { type CheckResult, check } from "../domain/checkResult";
import { type LinkingMethod, hasHighAvailability } from "../domain/linkingChoice";
import { allowedTiersSetting, replicaNetworkVerdict } from "../domain/replicaPolicy";
import { type ReplicaKind, type ReplicaServerInfo } from "./replicaManager";

const TIER_NAMES: Record<string, string> = {
  Basic: "Basic",
  GeneralPurpose: "General Purpose",
  MemoryOptimized: "Memory Optimized",
  Burstable: "Burstable",
};

function tierCheck(server: ReplicaServerInfo, allowed: readonly string[]): CheckResult {
  const shown = TIER_NAMES[server.tier] ?? server.tier;
  if (allowed.includes(server.tier))
    return check("REPLICA_TIER", "pass", `The replica's tier is ${shown} (${server.skuName}).`);
  const allowedShown = allowed.map((tier) => TIER_NAMES[tier] ?? tier).join(" or ");
  if (server.kind === "single" && server.tier === "Basic") {
    return check(
      "REPLICA_TIER",
      "fail",
      `The replica ${server.name} is in the Basic tier (${server.skuName}); data-in replication needs ${allowedShown}.`,
      "A Basic Single Server cannot be scaled to General Purpose or Memory Optimized: create a General Purpose or Memory Optimized server (for example by restoring a backup into a new server) and link that one.",
    );
  }
  return check(
    "REPLICA_TIER",
    "fail",
    `The replica ${server.name} is in the ${shown} tier (${server.skuName}); this app's policy (${allowedTiersSetting(server.kind)}) allows ${allowedShown}. This is the app's setting, not an Azure restriction.`,
    `Scale the server to ${allowedShown}, or, if the ${shown} tier is a deliberate choice, add ${server.tier} to the app setting ${allowedTiersSetting(server.kind)}.`,
  );
}

/**
 * Flexible Server: VNet integration (private access) is supported, the source's name resolving from that VNet; only a
 * server reached through a private endpoint with public access disabled is not. ARM says Disabled for both.
 */
function publicAccessCheck(server: ReplicaServerInfo): CheckResult {
  const verdict = replicaNetworkVerdict(server);
  if (verdict === "privateEndpointOnly") {
    return check(
      "REPLICA_PUBLIC_ACCESS",
      "fail",
      `The replica ${server.name} has public network access disabled and no VNet integration (private endpoint access only); data-in replication is not supported on such a server.`,
      "Enable public network access on the server (keeping the private endpoint if you need it), or use a Flexible Server with VNet integration (private access) whose VNet can reach the source.",
    );
  }
  if (verdict === "vnetIntegrated") {
    return check(
      "REPLICA_PUBLIC_ACCESS",
      "pass",
      `The replica ${server.name} uses VNet integration (private access, subnet ${server.delegatedSubnetResourceId}); data-in replication is supported when the source's host name resolves, and its address is routable, from that VNet.`,
    );
  }
  return check(
    "REPLICA_PUBLIC_ACCESS",
    "pass",
    `Public network access is ${server.publicNetworkAccess ?? "not reported"}.`,
  );
}

function highAvailabilityCheck(server: ReplicaServerInfo, requested: LinkingMethod | undefined): CheckResult {
  if (!hasHighAvailability(server)) {
    return check(
      "REPLICA_HA_LINKING",
      "pass",
      `High availability is ${server.highAvailabilityMode ?? "not reported"}; either linking method fits.`,
    );
  }
  if (requested === "binlogPosition") {
    return check(
      "REPLICA_HA_LINKING",
      "fail",
      `The replica has high availability (${server.highAvailabilityMode}), which supports data-in replication by GTID only, and the request asks for binlogPosition linking.`,
      'Send linking: "gtid" (or leave linking out) with a source that has GTIDs enabled, or disable high availability on the replica.',
    );
  }
  return check(
    "REPLICA_HA_LINKING",
    "pass",
    `The replica has high availability (${server.highAvailabilityMode}): linking by GTID${requested ? "" : " (chosen because of it)"}.`,
  );
}

export interface ReplicaServerChecks {
  checks: CheckResult[];
  /** Why the admin session is not tried (the REPLICA_ADMIN_LOGIN check says so too); null when it may be. */
  noLogin: string | null;
}

/** The checks of the server itself, in report order; the admin login's, when it cannot be tried, as skipped. */
export function replicaServerChecks(
  replica: { kind: ReplicaKind; serverName: string; resourceGroup: string; subscriptionId: string },
  server: ReplicaServerInfo | null,
  allowedTiers: Record<ReplicaKind, readonly string[]>,
  linking: LinkingMethod | undefined,
): ReplicaServerChecks {
  if (!server) {
    const skipped = ["REPLICA_READY", "REPLICA_TIER", "REPLICA_ADMIN_LOGIN"];
    if (replica.kind === "flexible") skipped.push("REPLICA_PUBLIC_ACCESS", "REPLICA_HA_LINKING");
    return {
      checks: [
        check(
          "REPLICA_EXISTS",
          "fail",
          `Replica server ${replica.serverName} was not found in resource group ${replica.resourceGroup} of subscription ${replica.subscriptionId}.`,
          "Check replica.subscriptionId, replica.resourceGroup and replica.serverName, and that the server is an Azure Database for MySQL server of the given kind.",
        ),
        ...skipped.map((code) => check(code, "skipped", "The replica server does not exist.")),
      ],
      noLogin: "The replica server does not exist.",
    };
  }
  const ready = server.state === "Ready";
  const checks = [
    check("REPLICA_EXISTS", "pass", `Replica ${server.name} exists (${server.fqdn}).`),
    ready
      ? check("REPLICA_READY", "pass", "The replica is Ready.")
      : check(
          "REPLICA_READY",
          "fail",
          `The replica is ${server.state || "in an unknown state"}, not Ready.`,
          "Start the server, or wait for its current operation to finish, then try again.",
        ),
    tierCheck(server, allowedTiers[server.kind]),
    ...(server.kind === "flexible"
      ? [publicAccessCheck(server), highAvailabilityCheck(server, linking)]
      : []),
  ];
  const noLogin = !ready
    ? "The replica is not Ready."
    : !server.fqdn
      ? "Resource Manager reports no fullyQualifiedDomainName for the replica: there is no name to connect to."
      : null;
  if (noLogin) checks.push(check("REPLICA_ADMIN_LOGIN", "skipped", noLogin));
  return { checks, noLogin };
}
