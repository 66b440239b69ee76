// Replica policy without a server: the setting that holds each kind's tiers, and what a Flexible Server's network allows.
import { allowedTiersSetting, replicaNetworkVerdict } from "../../../shared/domain/replicaPolicy";

describe("replica policy", () => {
  it("names each kind's tier setting", () => {
    expect(allowedTiersSetting("single")).toBe("SINGLE_SERVER_ALLOWED_TIERS");
    expect(allowedTiersSetting("flexible")).toBe("FLEXIBLE_SERVER_ALLOWED_TIERS");
  });

  it.each([
    [{ publicNetworkAccess: "Enabled", delegatedSubnetResourceId: null }, "public"],
    [{ publicNetworkAccess: null, delegatedSubnetResourceId: null }, "public"],
    [
      { publicNetworkAccess: "Disabled", delegatedSubnetResourceId: "/subscriptions/s/subnets/x" },
      "vnetIntegrated",
    ],
    [{ publicNetworkAccess: "Disabled", delegatedSubnetResourceId: null }, "privateEndpointOnly"],
  ])("%j is %s", (server, verdict) => {
    expect(replicaNetworkVerdict(server)).toBe(verdict);
  });
});
