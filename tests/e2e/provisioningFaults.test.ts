// Faults during provisioning: Resource Manager throttling and failures retried, a source lost during start, a password changed after validation.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "./e2eStack";

jest.setTimeout(240_000);

async function waitForStep(stack: LocalStack, id: string, step: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const custom = stack.host.instance(id)?.customStatus as { step?: string } | undefined;
    if (custom?.step === step) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`instance ${id} never reached step ${step}`);
}

async function expectNothingLeft(stack: LocalStack): Promise<void> {
  expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
  expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
}

describe("provisioning under faults", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startE2eStack({
      appSettings: { START_VERIFY_BUDGET_SECONDS: "20" },
    });
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack?.stop();
  });
  afterEach(async () => {
    // Each case starts from an unlinked replica; a DELETE also proves teardown works after faults.
    const id = stack.host
      .instances()
      .find((instance) => instance.name === "provisionReplication")?.instanceId;
    if (id) {
      const response = await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` });
      if (response.status === 202) await stack.host.waitForInstance(`${id}-teardown`);
    }
    await stack.replica.rootQuery("STOP REPLICA").catch(() => undefined);
    await stack.replica.rootQuery("RESET REPLICA ALL").catch(() => undefined);
    for (const rule of stack.emulators.arm.server(stack.serverName)?.firewallRules() ?? []) {
      stack.emulators.arm.server(stack.serverName)?.deleteFirewallRule(rule.name);
    }
  });

  it("replicates after Resource Manager answers 429, 503 and a failed long-running operation", async () => {
    const arm = stack.emulators.arm;
    arm.faults.add({
      method: "PUT",
      pathIncludes: "firewallRules",
      status: 429,
      retryAfterSeconds: 0,
      times: 1,
    });
    arm.faults.add({ method: "PUT", pathIncludes: "firewallRules", status: 503, times: 1 });
    arm.faults.add({
      method: "PUT",
      pathIncludes: "firewallRules",
      lro: { mode: "async", outcome: "Failed" },
      times: 1,
    });
    const { view } = await provisionAndWait(stack, stack.exampleRequest());
    expect(view.state).toBe("replicating");
    const puts = arm.requests.filter((r) => r.method === "PUT" && r.path.includes("firewallRules"));
    expect(puts.map((r) => r.status)).toEqual([429, 503, 202, 201]);
    const id = String(view.id);
    const events = stack.host.history(id).map((event) => event.EventTypeName);
    expect(events.filter((name) => name === "TaskFailed")).toHaveLength(3);
    expect(events.filter((name) => name === "TimerFired").length).toBeGreaterThanOrEqual(3);
  });

  it("does not retry a long-running operation that failed with a permanent Azure error code", async () => {
    const arm = stack.emulators.arm;
    const before = arm.requests.length;
    arm.faults.add({
      method: "PUT",
      pathIncludes: "firewallRules",
      lro: {
        mode: "async",
        outcome: "Failed",
        error: {
          code: "InvalidParameterValue",
          message: "Invalid value given for parameter startIpAddress.",
        },
      },
      times: Infinity,
    });
    try {
      const { view } = await provisionAndWait(stack, stack.exampleRequest());
      expect(view).toMatchObject({ state: "failed", error: { code: "FIREWALL_RULE_FAILED" } });
      expect((view.error as { message: string }).message).toContain("InvalidParameterValue");
      const puts = arm.requests
        .slice(before)
        .filter((r) => r.method === "PUT" && r.path.includes("firewallRules"));
      expect(puts).toHaveLength(1);
      await expectNothingLeft(stack);
    } finally {
      arm.faults.clear();
    }
  });

  it("fails and rolls back when the source goes down during start", async () => {
    const current = await stack.source.binlogStatus();
    stack.emulators.arm.faults.add({ method: "PUT", pathIncludes: "firewallRules", delayMs: 1500, times: 1 });
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...stack.exampleRequest(), binlog: current },
    });
    const id = response.json<{ id: string }>().id;
    await waitForStep(stack, id, "openingFirewall");
    await stack.source.shutdown();
    try {
      await stack.host.waitForInstance(id, { timeoutMs: 120_000 });
      const view = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<
        Record<string, unknown>
      >();
      expect(view).toMatchObject({ state: "failed", rolledBack: true, error: { code: "MYSQL_2003" } });
      expect(view.rollback).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: "removeLink", outcome: "done" }),
          expect.objectContaining({ action: "deleteFirewallRule", outcome: "done" }),
        ]),
      );
      await expectNothingLeft(stack);
    } finally {
      await stack.source.restart();
    }
  });

  it("fails with 1045, rolled back, when the replication password changes after validation", async () => {
    stack.emulators.arm.faults.add({ method: "PUT", pathIncludes: "firewallRules", delayMs: 1500, times: 1 });
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: stack.exampleRequest(),
    });
    const id = response.json<{ id: string }>().id;
    await waitForStep(stack, id, "openingFirewall");
    await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY 'rotated-elsewhere'");
    try {
      await stack.host.waitForInstance(id, { timeoutMs: 120_000 });
      const view = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<
        Record<string, unknown>
      >();
      expect(view).toMatchObject({ state: "failed", rolledBack: true, error: { code: "MYSQL_1045" } });
      expect((view.error as { remedy: string }).remedy).toMatch(/password/);
      await expectNothingLeft(stack);
    } finally {
      await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY ?", [
        stack.secrets.replicationPassword,
      ]);
    }
  });

  it("answers 409 while a provisioning runs, 200 for the same completed link, and 409 for another source", async () => {
    stack.emulators.arm.faults.add({ method: "PUT", pathIncludes: "firewallRules", delayMs: 1000, times: 1 });
    const first = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: stack.exampleRequest(),
    });
    expect(first.status).toBe(202);
    expect(first.headers.location).toMatch(/\/api\/replications\/rpl-[0-9a-f]{20}$/);
    const id = first.json<{ id: string }>().id;
    const second = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: stack.exampleRequest(),
    });
    expect(second.status).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: "ProvisioningInProgress", id } });
    await stack.host.waitForInstance(id);
    const again = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: stack.exampleRequest(),
    });
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ id, state: "replicating" });
    const other = stack.exampleRequest();
    const relink = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...other, source: { ...other.source, host: "localhost" } },
    });
    expect(relink.status).toBe(409);
    expect(relink.json()).toMatchObject({
      error: {
        code: "ReplicaAlreadyLinked",
        message: expect.stringContaining("delete that link first") as string,
      },
    });
  });
});
