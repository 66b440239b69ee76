// Which linking method a provisioning uses: the request's, or GTID when the Flexible replica has high availability.
import { type LinkingMethod } from "../source/gtidChecks";
import { type ReplicaServerInfo } from "../replica/replicaManager";

export interface LinkingChoice {
  method: LinkingMethod;
  chosenBy: "request" | "default" | "highAvailability";
}

export function hasHighAvailability(server: Pick<ReplicaServerInfo, "highAvailabilityMode"> | null): boolean {
  const mode = server?.highAvailabilityMode;
  return typeof mode === "string" && mode !== "" && mode !== "Disabled";
}

/**
 * An explicit request wins (an HA replica with binlogPosition is then a failed REPLICA_HA_LINKING check, not a silent
 * upgrade: the DBA's coordinates and seeding would no longer mean what they thought). Without one, HA means GTID.
 */
export function chooseLinking(
  requested: LinkingMethod | undefined,
  server: Pick<ReplicaServerInfo, "highAvailabilityMode"> | null,
): LinkingChoice {
  if (requested) return { method: requested, chosenBy: "request" };
  if (hasHighAvailability(server)) return { method: "gtid", chosenBy: "highAvailability" };
  return { method: "binlogPosition", chosenBy: "default" };
}
