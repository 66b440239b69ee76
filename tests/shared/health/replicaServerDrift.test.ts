// Re-validation's view of the replica server without a server: missing, not ready, tier, private-endpoint-only, HA on a binlog link.
import { replicaServerDrift } from "../../../shared/health/replicaServerDrift";
import { type ReplicaServerInfo } from "../../../shared/replica/replicaManager";
import { flexibleServer } from "../replica/replicaServerFixture";

const flexible = flexibleServer;
const binlogLink = { kind: "flexible" as const, serverName: "replica1", linking: "binlogPosition" as const };
const codes = (drift: { code: string }[]) => drift.map((item) => item.code);

describe("replicaServerDrift", () => {
  it("finds nothing on a ready server of an allowed tier with public access", () => {
    expect(replicaServerDrift(binlogLink, flexible, ["GeneralPurpose"])).toEqual([]);
  });

  it("reports a deleted server alone, with the way to remove the link", () => {
    const drift = replicaServerDrift(binlogLink, null, ["GeneralPurpose"]);
    expect(codes(drift)).toEqual(["REPLICA_MISSING"]);
    expect(drift[0]?.message).toContain("replica1");
    expect(drift[0]?.remedy).toContain("DELETE /api/replications/{id}");
  });

  it("reports a stopped server by its state, and an empty state as unknown", () => {
    expect(
      replicaServerDrift(binlogLink, { ...flexible, state: "Stopped" }, ["GeneralPurpose"])[0]?.message,
    ).toBe("The replica is Stopped, not Ready.");
    expect(
      replicaServerDrift(binlogLink, { ...flexible, state: "" }, ["GeneralPurpose"])[0]?.message,
    ).toContain("in an unknown state");
  });

  it("names the app's tier setting when policy refuses a tier", () => {
    const [finding] = replicaServerDrift(binlogLink, { ...flexible, tier: "Burstable" }, ["GeneralPurpose"]);
    expect(finding?.code).toBe("REPLICA_TIER");
    expect(finding?.message).toContain("FLEXIBLE_SERVER_ALLOWED_TIERS");
    expect(finding?.remedy).toContain("add it to the app setting FLEXIBLE_SERVER_ALLOWED_TIERS");
  });

  it("says Azure itself refuses a Basic Single Server, not the app", () => {
    const single: ReplicaServerInfo = { ...flexible, kind: "single", tier: "Basic", skuName: "B_Gen5_1" };
    const [finding] = replicaServerDrift({ ...binlogLink, kind: "single" }, single, ["GeneralPurpose"]);
    expect(finding?.message).toContain("Azure does not support data-in replication on Basic Single Servers");
    expect(finding?.remedy).toContain("cannot be scaled up");
  });

  it("refuses private-endpoint-only access but not VNet integration", () => {
    const closed = { ...flexible, publicNetworkAccess: "Disabled" };
    expect(codes(replicaServerDrift(binlogLink, closed, ["GeneralPurpose"]))).toEqual([
      "REPLICA_PUBLIC_ACCESS_DISABLED",
    ]);
    const vnet = { ...closed, delegatedSubnetResourceId: "/subscriptions/s/subnets/mysql" };
    expect(replicaServerDrift(binlogLink, vnet, ["GeneralPurpose"])).toEqual([]);
  });

  it("flags high availability on a binlog-position link only", () => {
    const ha = { ...flexible, highAvailabilityMode: "ZoneRedundant" };
    expect(codes(replicaServerDrift(binlogLink, ha, ["GeneralPurpose"]))).toEqual(["REPLICA_HA_NEEDS_GTID"]);
    expect(replicaServerDrift({ ...binlogLink, linking: "gtid" }, ha, ["GeneralPurpose"])).toEqual([]);
  });
});
