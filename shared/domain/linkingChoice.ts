// Which linking method a provisioning uses: the request's, or GTID when the Flexible replica has high availability.

/** How the replica finds its place in the source's binlog: file and position, or GTID auto-positioning. */
export type LinkingMethod = "binlogPosition" | "gtid";

/** The replica facts the choice reads (ReplicaServerInfo has them). */
type HighAvailability = { highAvailabilityMode: string | null };

export interface LinkingChoice {
  method: LinkingMethod;
  chosenBy: "request" | "default" | "highAvailability";
}

export function hasHighAvailability(server: HighAvailability | null): boolean {
  const mode = server?.highAvailabilityMode;
  return typeof mode === "string" && mode !== "" && mode !== "Disabled";
}

/**
 * An explicit request wins (an HA replica with binlogPosition is then a failed REPLICA_HA_LINKING check, not a silent
 * upgrade: the DBA's coordinates and seeding would no longer mean what they thought). Without one, HA means GTID.
 */
export function chooseLinking(
  requested: LinkingMethod | undefined,
  server: HighAvailability | null,
): LinkingChoice {
  if (requested) return { method: requested, chosenBy: "request" };
  if (hasHighAvailability(server)) return { method: "gtid", chosenBy: "highAvailability" };
  return { method: "binlogPosition", chosenBy: "default" };
}
