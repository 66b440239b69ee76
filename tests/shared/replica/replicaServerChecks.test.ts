// The replica's own checks without a server: existence, readiness, tier policy, Flexible network and HA, login skips.
import { replicaServerChecks } from "../../../shared/replica/replicaServerChecks";
import { flexibleServer } from "./replicaServerFixture";

const spec = { kind: "flexible" as const, serverName: "r1", resourceGroup: "rg", subscriptionId: "sub" };
const tiers = { single: ["GeneralPurpose"], flexible: ["GeneralPurpose", "MemoryOptimized"] };
const server = flexibleServer;
const statuses = (result: ReturnType<typeof replicaServerChecks>) =>
  Object.fromEntries(result.checks.map((item) => [item.code, item.status]));

describe("replicaServerChecks", () => {
  it("passes a ready Flexible server of an allowed tier, and lets the admin log in", () => {
    const result = replicaServerChecks(spec, server, tiers, undefined);
    expect(statuses(result)).toEqual({
      REPLICA_EXISTS: "pass",
      REPLICA_READY: "pass",
      REPLICA_TIER: "pass",
      REPLICA_PUBLIC_ACCESS: "pass",
      REPLICA_HA_LINKING: "pass",
    });
    expect(result.noLogin).toBeNull();
  });

  it("fails a missing server naming where it looked, and skips everything after it", () => {
    const result = replicaServerChecks(spec, null, tiers, undefined);
    expect(result.checks[0]?.message).toContain("resource group rg of subscription sub");
    expect(statuses(result)).toEqual({
      REPLICA_EXISTS: "fail",
      REPLICA_READY: "skipped",
      REPLICA_TIER: "skipped",
      REPLICA_ADMIN_LOGIN: "skipped",
      REPLICA_PUBLIC_ACCESS: "skipped",
      REPLICA_HA_LINKING: "skipped",
    });
    expect(result.noLogin).not.toBeNull();
  });

  it("skips the login of a stopped server, or of one without a host name", () => {
    expect(
      statuses(replicaServerChecks(spec, { ...server, state: "Stopped" }, tiers, undefined)),
    ).toMatchObject({
      REPLICA_READY: "fail",
      REPLICA_ADMIN_LOGIN: "skipped",
    });
    const nameless = replicaServerChecks(spec, { ...server, fqdn: "" }, tiers, undefined);
    expect(nameless.noLogin).toContain("no fullyQualifiedDomainName");
  });

  it("names the app's setting for a tier its policy refuses, and Azure's rule for Basic Single Servers", () => {
    const burstable = replicaServerChecks(spec, { ...server, tier: "Burstable" }, tiers, undefined);
    expect(burstable.checks.find((item) => item.code === "REPLICA_TIER")?.message).toContain(
      "FLEXIBLE_SERVER_ALLOWED_TIERS",
    );
    const basic = replicaServerChecks(
      { ...spec, kind: "single" },
      { ...server, kind: "single", tier: "Basic", skuName: "B_Gen5_1" },
      tiers,
      undefined,
    );
    expect(basic.checks.find((item) => item.code === "REPLICA_TIER")?.remedy).toContain("cannot be scaled");
    expect(basic.checks.some((item) => item.code === "REPLICA_HA_LINKING")).toBe(false);
  });

  it("refuses binlog-position linking on an HA server and private-endpoint-only access", () => {
    const ha = replicaServerChecks(
      spec,
      { ...server, highAvailabilityMode: "ZoneRedundant" },
      tiers,
      "binlogPosition",
    );
    expect(statuses(ha).REPLICA_HA_LINKING).toBe("fail");
    const closed = replicaServerChecks(
      spec,
      { ...server, publicNetworkAccess: "Disabled" },
      tiers,
      undefined,
    );
    expect(statuses(closed).REPLICA_PUBLIC_ACCESS).toBe("fail");
  });
});
