// Replica policy rules: which app setting holds a kind's allowed tiers, and what a Flexible Server's network allows.

/** The app setting that holds the allowed tiers of each kind: a refused tier is this app's policy, named so. */
export function allowedTiersSetting(kind: "single" | "flexible"): string {
  return kind === "single" ? "SINGLE_SERVER_ALLOWED_TIERS" : "FLEXIBLE_SERVER_ALLOWED_TIERS";
}

/** What a Flexible Server's network means for data-in replication; shared with the re-validation's drift. */
export function replicaNetworkVerdict(server: {
  publicNetworkAccess: string | null;
  delegatedSubnetResourceId: string | null;
}): "public" | "vnetIntegrated" | "privateEndpointOnly" {
  if (server.publicNetworkAccess !== "Disabled") return "public";
  return server.delegatedSubnetResourceId ? "vnetIntegrated" : "privateEndpointOnly";
}
