// Pure: what Resource Manager's view of the replica server says has drifted for a link (existence, state, tier, network, HA).
import { type DriftFinding } from "./linkHealth";
import { type ReplicaKind, type ReplicaServerInfo } from "../replica/replicaManager";
import { type LinkingMethod } from "../domain/gtidChecks";
import { hasHighAvailability } from "../domain/linkingChoice";
import { allowedTiersSetting, replicaNetworkVerdict } from "../domain/replicaPolicy";

export interface ReplicaServerLink {
  kind: ReplicaKind;
  serverName: string;
  linking: LinkingMethod;
}

function tierFinding(
  link: ReplicaServerLink,
  server: ReplicaServerInfo,
  allowed: readonly string[],
): DriftFinding {
  // Basic Single Server is the one tier Azure itself refuses for data-in replication; every other refusal is the
  // app's policy (its allowed-tier setting) and is named as such.
  const azureRefuses = link.kind === "single" && server.tier === "Basic";
  const setting = allowedTiersSetting(link.kind);
  return {
    code: "REPLICA_TIER",
    message: `The replica's tier is now ${server.tier} (${server.skuName}); ${
      azureRefuses
        ? "Azure does not support data-in replication on Basic Single Servers"
        : `this app's policy (${setting}) allows ${allowed.join(", ")}`
    }.`,
    remedy: azureRefuses
      ? "Restore the replica into a General Purpose or Memory Optimized server and link that one (a Basic server cannot be scaled up)."
      : `Scale the replica back to ${allowed.join(" or ")}, or, if ${server.tier} is a deliberate choice, add it to the app setting ${setting}.`,
  };
}

/** The findings about the server itself, in the order a DBA reads them; `server` null means it no longer exists. */
export function replicaServerDrift(
  link: ReplicaServerLink,
  server: ReplicaServerInfo | null,
  allowedTiers: readonly string[],
): DriftFinding[] {
  if (!server) {
    return [
      {
        code: "REPLICA_MISSING",
        message: `Replica server ${link.serverName} no longer exists.`,
        remedy: "Delete this link (DELETE /api/replications/{id}).",
      },
    ];
  }
  const drift: DriftFinding[] = [];
  if (server.state !== "Ready") {
    drift.push({
      code: "REPLICA_NOT_READY",
      message: `The replica is ${server.state || "in an unknown state"}, not Ready.`,
      remedy: "Start the server or wait for its operation to finish.",
    });
  }
  if (!allowedTiers.includes(server.tier)) drift.push(tierFinding(link, server, allowedTiers));
  if (server.kind === "flexible" && replicaNetworkVerdict(server) === "privateEndpointOnly") {
    // VNet integration also reads Disabled, and is supported: only a private endpoint without public access is not.
    drift.push({
      code: "REPLICA_PUBLIC_ACCESS_DISABLED",
      message:
        "The replica's public network access is now disabled and it has no VNet integration (private endpoint access only); data-in replication is not supported there.",
      remedy: "Enable public network access on the replica again, or delete this link.",
    });
  }
  if (hasHighAvailability(server) && link.linking !== "gtid") {
    drift.push({
      code: "REPLICA_HA_NEEDS_GTID",
      message: `High availability (${server.highAvailabilityMode}) is now on for the replica, which supports data-in replication by GTID only, and this link uses binlog file/position.`,
      remedy: "Disable high availability, or delete this link and provision again with linking: gtid.",
    });
  }
  return drift;
}
