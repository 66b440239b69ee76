// At-least-once execution: every activity runs twice with the same input (a retry, or a replay after a crash) and the end state is the same.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "./e2eStack";

jest.setTimeout(240_000);

describe("every activity executed twice", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startE2eStack({ executeActivitiesTwice: true });
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack?.stop();
  });

  it("still ends replicating with one rule and one link, and tears down cleanly", async () => {
    const { view } = await provisionAndWait(stack, stack.exampleRequest());
    expect(view.state).toBe("replicating");
    expect(stack.host.stats().activityExecutions).toBeGreaterThanOrEqual(12);
    const rules = stack.emulators.arm.server(stack.serverName)?.firewallRules() ?? [];
    expect(rules).toHaveLength(1);
    const [status] = await stack.replica.rootQuery<{
      Replica_IO_Running: string;
      Replica_SQL_Running: string;
    }>("SHOW REPLICA STATUS");
    expect(status).toMatchObject({ Replica_IO_Running: "Yes", Replica_SQL_Running: "Yes" });

    const id = String(view.id);
    expect((await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` })).status).toBe(
      202,
    );
    await stack.host.waitForInstance(`${id}-teardown`);
    const removed = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<
      Record<string, unknown>
    >();
    expect(removed.state).toBe("removed");
    expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
    expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
    const second = await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` });
    expect(second.status).toBe(200);
    expect(second.json()).toMatchObject({ state: "removed" });
  });

  it("a permanent failure before any change leaves nothing, and a new run after a removal reports its own state", async () => {
    await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY 'changed-before-start'");
    try {
      const { view } = await provisionAndWait(stack, stack.exampleRequest());
      expect(view).toMatchObject({
        state: "failed",
        rolledBack: null,
        error: { code: "VALIDATION_FAILED" },
      });
      expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
      expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
    } finally {
      await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY ?", [
        stack.secrets.replicationPassword,
      ]);
    }
  });

  it("rolls back link and rule when replication cannot start (purged binlog), with activities doubled", async () => {
    await stack.source.flushBinaryLogs();
    const logs = await stack.source.binaryLogs();
    const oldest = logs[0]!;
    // Coordinates in a file that exists at validation, purged before the replica asks for it.
    stack.emulators.arm.faults.add({ method: "PUT", pathIncludes: "firewallRules", delayMs: 4000, times: 1 });
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...stack.exampleRequest(), binlog: { file: oldest.name, position: 4 } },
    });
    const id = response.json<{ id: string }>().id;
    const deadline = Date.now() + 30_000;
    while (
      (stack.host.instance(id)?.customStatus as { step?: string } | undefined)?.step !== "openingFirewall"
    ) {
      if (Date.now() > deadline) throw new Error("never reached openingFirewall");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // No link exists at this step, so every binlog dump thread on the source is stale.
    await stack.source.purgeBinaryLogsUntilGone(oldest.name, { endDumpThreads: true });
    await stack.host.waitForInstance(id, { timeoutMs: 120_000 });
    const view = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<
      Record<string, unknown>
    >();
    expect(view).toMatchObject({ state: "failed", rolledBack: true, error: { code: "MYSQL_13114" } });
    expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
    expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
  });
});
