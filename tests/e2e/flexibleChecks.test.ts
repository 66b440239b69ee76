// End to end for the Flexible Server replica checks: Burstable refused by policy, private endpoint refused and VNet integration accepted, primary keys as recommendations, HA forcing GTID linking, drift.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, startE2eStack } from "./e2eStack";

import {
  provision,
  revalidate,
  tearDown,
  replicaLink,
  expectRowsReplicate,
  checkOf,
  type View,
} from "./flexibleHelpers";
import { validateSource } from "../../shared/source/sourceValidation";

jest.setTimeout(300_000);

const SUBNET =
  "/subscriptions/6c1f0d6e-3c5a-4a8f-9a55-2f1e4d0c7b11/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-data/subnets/mysql";

async function dryRun(stack: LocalStack, body: object): Promise<View> {
  const response = await stack.host.invokeHttp({
    method: "POST",
    path: "/api/replications",
    body: { ...body, dryRun: true },
  });
  expect(response.status).toBe(200);
  return response.json<View>();
}

describe("Flexible Server replica checks: tier policy, network, primary keys, high availability", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startE2eStack({
      replicaKind: "flexible",
      replicaTier: "Burstable",
      source: { gtidMode: "ON" },
    });
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack?.stop();
  });

  it("rejects Burstable, saying it is this app's policy, and changes nothing", async () => {
    const view = await provision(stack, stack.exampleRequest());
    expect(view.error?.code).toBe("VALIDATION_FAILED");
    const tier = checkOf(view, "REPLICA_TIER");
    expect(tier?.status).toBe("fail");
    expect(tier?.message).toMatch(
      /Burstable tier .*this app's policy \(FLEXIBLE_SERVER_ALLOWED_TIERS\) allows General Purpose or Memory Optimized/,
    );
    expect(tier?.message).toMatch(/not an Azure restriction/);
    expect(`${tier?.message} ${tier?.remedy}`).not.toMatch(/unsupported|not supported/i);
    expect(tier?.remedy).toMatch(/FLEXIBLE_SERVER_ALLOWED_TIERS/);
    expect(view.rolledBack).toBeNull();
    expect(await replicaLink(stack)).toBeUndefined();
  });

  it("rejects a private endpoint with public access disabled, and accepts VNet integration, where a private source is fine", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "GeneralPurpose";
    server.publicNetworkAccess = "Disabled";
    try {
      const view = await provision(stack, stack.exampleRequest());
      expect(view.error?.code).toBe("VALIDATION_FAILED");
      expect(view.error?.message).toContain("REPLICA_PUBLIC_ACCESS");
      expect(checkOf(view, "REPLICA_PUBLIC_ACCESS")).toMatchObject({
        status: "fail",
        message: expect.stringMatching(/no VNet integration \(private endpoint access only\).*not supported/),
      });
      expect(await replicaLink(stack)).toBeUndefined();

      // ARM reports Disabled for VNet integration too; the delegated subnet tells them apart.
      server.delegatedSubnetResourceId = SUBNET;
      const dry = await dryRun(stack, stack.exampleRequest());
      expect(checkOf(dry, "REPLICA_PUBLIC_ACCESS")).toMatchObject({
        status: "pass",
        message: expect.stringContaining(SUBNET) as string,
      });
      // (This stack's replica has gtid_mode OFF against a GTID source: GTID_MODE_COMPATIBLE fails, unrelated.)
      expect(dry.checks.filter((item) => item.status === "fail").map((item) => item.code)).toEqual([
        "GTID_MODE_COMPATIBLE",
      ]);
    } finally {
      server.publicNetworkAccess = "Enabled";
      server.delegatedSubnetResourceId = undefined;
    }
    // A private source (127.0.0.1 here), with private addresses not allowed: refused for a public replica, accepted
    // with a warning for a VNet-integrated one, and then really validated.
    const input = {
      host: stack.source.host,
      port: stack.source.port,
      replicationUser: stack.replicationUser,
      replicationPassword: stack.secrets.replicationPassword!,
      caCertificate: stack.ca.caCertPem,
      linking: "binlogPosition" as const,
      replicaKind: "flexible" as const,
      allowPrivateAddresses: false,
      connectTimeoutMs: 5000,
    };
    const refused = await validateSource({ ...input, replicaVnetSubnet: () => Promise.resolve(null) });
    expect(refused.checks.find((item) => item.code === "SOURCE_ADDRESS")?.status).toBe("fail");
    expect(refused.checks.find((item) => item.code === "SOURCE_REACHABLE")?.status).toBe("skipped");
    const accepted = await validateSource({ ...input, replicaVnetSubnet: () => Promise.resolve(SUBNET) });
    expect(accepted.checks.find((item) => item.code === "SOURCE_ADDRESS")).toMatchObject({
      status: "warn",
      remedy: expect.stringMatching(/routable from the replica's VNet/) as string,
    });
    expect(accepted.checks.find((item) => item.code === "SOURCE_REACHABLE")?.status).toBe("pass");
  });

  it("warns (not fails) on tables without a primary key, and on invisible primary keys the replica would generate", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "GeneralPurpose";
    await stack.source.rootQuery("CREATE TABLE shop.no_pk_flex (x INT) ENGINE=InnoDB");
    const gipk = await stack.source.rootConnection();
    try {
      await gipk.query("SET SESSION sql_generate_invisible_primary_key = ON");
      await gipk.query("CREATE TABLE shop.gipk_flex (x INT) ENGINE=InnoDB");
    } finally {
      await gipk.end();
    }
    // Flexible Server's default; the Azure-like replica starts with MySQL's (OFF).
    await stack.replica.rootQuery("SET GLOBAL sql_generate_invisible_primary_key = ON");
    try {
      const dry = await dryRun(stack, stack.exampleRequest());
      expect(checkOf(dry, "PRIMARY_KEYS")).toMatchObject({
        status: "warn",
        message: expect.stringMatching(/shop\.no_pk_flex.*recommends one/) as string,
      });
      const invisible = checkOf(dry, "INVISIBLE_PRIMARY_KEYS");
      expect(invisible?.status).toBe("warn");
      expect(invisible?.message).toMatch(/shop\.no_pk_flex/);
      expect(invisible?.message).toMatch(/1068, 1075 or 4109/);
      expect(invisible?.message).toMatch(/shop\.gipk_flex/);
      expect(invisible?.remedy).toMatch(/sql_generate_invisible_primary_key to OFF/);
    } finally {
      await stack.replica.rootQuery("SET GLOBAL sql_generate_invisible_primary_key = OFF");
      await stack.source.rootQuery("DROP TABLE shop.no_pk_flex, shop.gipk_flex");
    }
  });

  it("refuses binlog-position linking on an HA replica, links it by GTID when linking is left out, and reports drift later", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "GeneralPurpose";
    server.haMode = "ZoneRedundant";
    // Enabling HA on Azure raises gtid_mode to ON, one step at a time; the GTID state comes from the dump.
    await stack.replica.rootQuery("SET GLOBAL enforce_gtid_consistency = ON");
    for (const mode of ["OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"]) {
      await stack.replica.rootQuery("SET GLOBAL gtid_mode = ?", [mode]);
    }
    await stack.seedReplicaGtidState();

    const refused = await provision(stack, { ...stack.exampleRequest(), linking: "binlogPosition" });
    expect(refused.error?.code).toBe("VALIDATION_FAILED");
    expect(checkOf(refused, "REPLICA_HA_LINKING")).toMatchObject({ status: "fail" });
    expect(checkOf(refused, "REPLICA_HA_LINKING")?.message).toMatch(/GTID only/);
    expect(await replicaLink(stack)).toBeUndefined();

    const view = await provision(stack, stack.exampleRequest());
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(view.linking).toEqual({ method: "gtid", chosenBy: "highAvailability" });
    expect(await replicaLink(stack)).toMatchObject({ Auto_Position: 1 });
    await expectRowsReplicate(stack, 3001);

    server.tier = "Burstable";
    const burstable = await revalidate(stack, view.id);
    const tierDrift = burstable.health?.drift.find((item) => item.code === "REPLICA_TIER");
    expect(tierDrift?.message).toMatch(/this app's policy \(FLEXIBLE_SERVER_ALLOWED_TIERS\)/);
    expect(`${tierDrift?.message} ${tierDrift?.remedy}`).not.toMatch(/unsupported|not supported/i);
    server.tier = "GeneralPurpose";

    server.publicNetworkAccess = "Disabled";
    const drifted = await revalidate(stack, view.id);
    expect(drifted.health?.state).toBe("degraded");
    expect(drifted.health?.drift.map((item) => item.code)).toContain("REPLICA_PUBLIC_ACCESS_DISABLED");
    server.delegatedSubnetResourceId = SUBNET;
    const integrated = await revalidate(stack, view.id);
    expect(integrated.health?.drift.map((item) => item.code)).not.toContain("REPLICA_PUBLIC_ACCESS_DISABLED");
    server.delegatedSubnetResourceId = undefined;
    server.publicNetworkAccess = "Enabled";

    expect((await tearDown(stack, view.id)).state).toBe("removed");
    expect(await replicaLink(stack)).toBeUndefined();
  });
});
