// End to end for the Flexible Server replica checks: Burstable refused by policy, private access refused, HA forcing GTID linking, drift on re-validation.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, startE2eStack } from "./e2eStack";

import {
  provision,
  revalidate,
  tearDown,
  replicaLink,
  expectRowsReplicate,
  checkOf,
} from "./flexibleHelpers";

jest.setTimeout(300_000);

describe("Flexible Server replica checks: tier policy, private access, high availability", () => {
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

  it("rejects a replica with private access only", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "GeneralPurpose";
    server.publicNetworkAccess = "Disabled";
    try {
      const view = await provision(stack, stack.exampleRequest());
      expect(view.error?.code).toBe("VALIDATION_FAILED");
      expect(view.error?.message).toContain("REPLICA_PUBLIC_ACCESS");
      expect(checkOf(view, "REPLICA_PUBLIC_ACCESS")).toMatchObject({
        status: "fail",
        message: expect.stringMatching(/private access only.*not supported/),
      });
      expect(await replicaLink(stack)).toBeUndefined();
    } finally {
      server.publicNetworkAccess = "Enabled";
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
    server.publicNetworkAccess = "Enabled";

    expect((await tearDown(stack, view.id)).state).toBe("removed");
    expect(await replicaLink(stack)).toBeUndefined();
  });
});
