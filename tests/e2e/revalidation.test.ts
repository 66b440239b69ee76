// Scheduled re-validation after real breakage: health, drift, recovery actions taken and not taken; then teardown.
import { type LocalStack } from "../../dev/stack/localStack";
import { SCHEDULED_REVALIDATION_INSTANCE } from "../../shared/workflow/revalidationOrchestrator";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "./e2eStack";

jest.setTimeout(300_000);

interface Health {
  state: string;
  ioThread: string;
  sqlThread: string;
  secondsBehindSource: number | null;
  heartbeatLagSeconds: number | null;
  lastIoError: { errno: number; diagnosis: string; remedy: string } | null;
  lastSqlError: { errno: number; message: string; diagnosis: string; remedy: string } | null;
  drift: { code: string; message: string }[];
  recovery: { action: string; outcome: string; detail: string }[];
  notTaken: { action: string; reason: string }[];
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("re-validation", () => {
  let stack: LocalStack;
  let id: string;

  beforeAll(async () => {
    stack = await startE2eStack();
    await stack.source.createUser({
      user: "heartbeat",
      password: stack.secrets.replicationPassword!,
      privileges: ["CREATE", "INSERT", "DELETE", "SELECT"],
      on: "hb.*",
    });
    stack.setBoundAppSetting(
      "REPLICATION_SECRET_HEARTBEAT",
      stack.secrets.replicationPassword!,
      "heartbeat-writer",
      "heartbeat",
    );
    const { view } = await provisionAndWait(stack, {
      ...stack.exampleRequest(),
      heartbeat: {
        writerUser: "heartbeat",
        writerPassword: { appSetting: "REPLICATION_SECRET_HEARTBEAT" },
        database: "hb",
      },
    });
    expect(view.state).toBe("replicating");
    id = String(view.id);
    // The heartbeat database is created on the source after linking, so it replicates like any schema.
    await stack.source.rootQuery("CREATE DATABASE hb");
    await until(
      async () => (await stack.replica.rootQuery("SHOW DATABASES LIKE 'hb'")).length === 1,
      "hb on the replica",
    );
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack?.stop();
  });

  async function scheduledPass(): Promise<Health> {
    await stack.host.fireTimer("revalidationTimer");
    await stack.host.waitForInstance(SCHEDULED_REVALIDATION_INSTANCE, { timeoutMs: 120_000 });
    const view = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<{
      health: Health;
    }>();
    return view.health;
  }

  it("reports a healthy link with lag and heartbeat lag", async () => {
    const health = await scheduledPass();
    expect(health).toMatchObject({
      state: "healthy",
      ioThread: "Yes",
      sqlThread: "Yes",
      drift: [],
      recovery: [],
    });
    expect(typeof health.secondsBehindSource).toBe("number");
    expect(health.heartbeatLagSeconds).not.toBeNull();
    expect(health.heartbeatLagSeconds!).toBeLessThan(10);
    const list = (await stack.host.invokeHttp({ method: "GET", path: "/api/replications" })).json<{
      replications: { id: string; health: { state: string } }[];
    }>();
    expect(list.replications.find((item) => item.id === id)?.health.state).toBe("healthy");
  });

  it("recreates a firewall rule deleted behind the app's back", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    const [rule] = server.firewallRules();
    server.deleteFirewallRule(rule!.name);
    const health = await scheduledPass();
    expect(health.drift.map((item) => item.code)).toContain("FIREWALL_RULE_MISSING");
    expect(health.recovery).toEqual([
      expect.objectContaining({ action: "recreateFirewallRule", outcome: "done" }),
    ]);
    expect(server.firewallRules().map((item) => item.name)).toEqual([rule!.name]);
    const view = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<{
      recentRecovery: unknown[];
    }>();
    expect(view.recentRecovery).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: "recreateFirewallRule" })]),
    );
  });

  it("reports a tier that is no longer allowed", async () => {
    const server = stack.emulators.arm.server(stack.serverName);
    server.tier = "Basic";
    try {
      const health = await scheduledPass();
      expect(health.state).toBe("degraded");
      expect(health.drift.map((item) => item.code)).toContain("REPLICA_TIER");
    } finally {
      server.tier = "GeneralPurpose";
    }
  });

  it("retries a pass that met a failing Resource Manager, and reports a refusal", async () => {
    const arm = stack.emulators.arm;
    const serverPath = new RegExp(`/servers/${stack.serverName}$`, "i");
    arm.faults.add({ method: "GET", pathRegex: serverPath, status: 503, times: 1 });
    const health = await scheduledPass();
    expect(health.state).toBe("healthy");
    expect(health.drift.map((item) => item.code)).not.toContain("ARM_UNAVAILABLE");
    const events = stack.host.history(SCHEDULED_REVALIDATION_INSTANCE).map((event) => event.EventTypeName);
    expect(events.filter((name) => name === "TaskFailed")).toHaveLength(1);

    arm.faults.add({
      method: "GET",
      pathRegex: serverPath,
      status: 403,
      body: { error: { code: "AuthorizationFailed", message: "The client does not have authorization." } },
      times: 1,
    });
    const refused = await scheduledPass();
    expect(refused.state).toBe("degraded");
    expect(refused.drift.find((item) => item.code === "ARM_UNAVAILABLE")?.message).toMatch(/authorization/);
  });

  it("judges a link hours behind on the heartbeat degraded, though Seconds_Behind_Source is 0", async () => {
    // The replica stops applying the heartbeat table only; everything else, and the lag figure, stay as they are.
    // MySQL sets a filter with CHANGE REPLICATION FILTER while the SQL thread is stopped.
    const setFilter = async (patterns: string) => {
      await stack.replica.rootQuery("STOP REPLICA SQL_THREAD");
      await stack.replica.rootQuery(`CHANGE REPLICATION FILTER REPLICATE_WILD_IGNORE_TABLE = (${patterns})`);
      await stack.replica.rootQuery("START REPLICA SQL_THREAD");
    };
    await setFilter("'hb.%'");
    try {
      await stack.replica.rootQuery(
        "UPDATE hb.replication_heartbeat SET beat_at = UTC_TIMESTAMP(6) - INTERVAL 3 HOUR WHERE id = 1",
      );
      const health = await scheduledPass();
      expect(health.secondsBehindSource).toBe(0);
      expect(health.heartbeatLagSeconds!).toBeGreaterThan(3 * 3600 - 60);
      expect(health.state).toBe("degraded");
      expect(health.drift.map((item) => item.code)).toEqual(["HEARTBEAT_LAG"]);
    } finally {
      await setFilter("");
    }
  });

  it("reports a duplicate-key conflict and does not skip it without a policy", async () => {
    await stack.replica.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (500, 'replica-only', 1)",
    );
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (500, 'from-source', 2)",
    );
    await until(async () => {
      const [row] = await stack.replica.rootQuery<{ Last_SQL_Errno: number }>("SHOW REPLICA STATUS");
      return Number(row?.Last_SQL_Errno) === 1062;
    }, "error 1062 on the replica");
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: `/api/replications/${id}/revalidate`,
    });
    expect(response.status).toBe(202);
    await stack.host.waitForInstance(`${id}-revalidation`);
    const { health } = (
      await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })
    ).json<{ health: Health }>();
    expect(health).toMatchObject({ state: "broken", sqlThread: "No", secondsBehindSource: null });
    expect(health.lastSqlError).toMatchObject({ errno: 1062 });
    expect(health.lastSqlError!.remedy).toMatch(/never skip silently/);
    expect(health.recovery).toEqual([]);
    expect(health.notTaken).toEqual([
      expect.objectContaining({
        action: "skipSqlError",
        reason: expect.stringContaining("skip policy") as string,
      }),
    ]);
    const [row] = await stack.replica.rootQuery<{ customer: string }>(
      "SELECT customer FROM shop.orders WHERE id = 500",
    );
    expect(row?.customer).toBe("replica-only");
    // An operator reconciles: the replica's row goes, the source's event then applies.
    await stack.replica.rootQuery("STOP REPLICA");
    await stack.replica.rootQuery("DELETE FROM shop.orders WHERE id = 500");
    await stack.replica.rootQuery("START REPLICA");
    await until(
      async () =>
        (
          await stack.replica.rootQuery(
            "SELECT 1 FROM shop.orders WHERE id = 500 AND customer = 'from-source'",
          )
        ).length === 1,
      "the source's row",
    );
  });

  it("reports the binlog the replica needs purged from the source", async () => {
    await stack.replica.rootQuery("STOP REPLICA IO_THREAD");
    await stack.source.flushBinaryLogs();
    await stack.source.rootQuery("INSERT INTO shop.orders (id, customer, amount) VALUES (600, 'unread', 3)");
    const [status] = await stack.replica.rootQuery<{ Source_Log_File: string }>("SHOW REPLICA STATUS");
    const needed = status!.Source_Log_File;
    // The replica's IO thread is stopped, so every binlog dump thread on the source is stale.
    await stack.source.purgeBinaryLogsUntilGone(needed, { endDumpThreads: true });
    const health = await scheduledPass();
    expect(health.drift.map((item) => item.code)).toContain("BINLOG_PURGED");
    expect(health.state).toBe("broken");
  });

  it("reports a stopped source: lag unknown, never 0, and no restart while the IO thread reconnects by itself", async () => {
    await stack.replica.rootQuery("START REPLICA IO_THREAD");
    await stack.source.shutdown();
    try {
      await until(async () => {
        const [row] = await stack.replica.rootQuery<{ Last_IO_Errno: number }>("SHOW REPLICA STATUS");
        return Number(row?.Last_IO_Errno) !== 0;
      }, "an IO error on the replica");
      const health = await scheduledPass();
      expect(health.state).toBe("broken");
      expect(health.secondsBehindSource).toBeNull();
      expect(health.lastIoError?.errno).toBeDefined();
      expect(health.drift.map((item) => item.code)).toEqual(expect.arrayContaining(["SOURCE_REACHABLE"]));
    } finally {
      await stack.source.restart();
    }
  });

  it("tears down: the replica unlinked, the rule gone, the link kept as removed", async () => {
    const response = await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` });
    expect(response.status).toBe(202);
    await stack.host.waitForInstance(`${id}-teardown`);
    expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
    expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
    const list = (await stack.host.invokeHttp({ method: "GET", path: "/api/replications" })).json<{
      replications: { id: string; state: string }[];
    }>();
    expect(list.replications).toEqual([expect.objectContaining({ id, state: "removed" })]);
    const unknown = await stack.host.invokeHttp({
      method: "DELETE",
      path: "/api/replications/rpl-00000000000000000000",
    });
    expect(unknown.status).toBe(404);
  });

  it("skips a 1062 when the link's policy names it, recording the event it skipped", async () => {
    const coordinates = await stack.source.binlogStatus();
    const { view } = await provisionAndWait(stack, {
      ...stack.exampleRequest(),
      binlog: coordinates,
      policy: { skipErrors: [{ errno: 1062, maxSkips: 1 }] },
    });
    expect(view.state).toBe("replicating");
    await stack.replica.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (700, 'replica-only', 1)",
    );
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (700, 'from-source', 2)",
    );
    await until(async () => {
      const [row] = await stack.replica.rootQuery<{ Last_SQL_Errno: number }>("SHOW REPLICA STATUS");
      return Number(row?.Last_SQL_Errno) === 1062;
    }, "error 1062 on the replica");
    const health = await scheduledPass();
    expect(health.recovery).toEqual([
      expect.objectContaining({
        action: "skipSqlError",
        outcome: "done",
        detail: expect.stringContaining("Duplicate entry '700'") as string,
      }),
    ]);
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (701, 'after-skip', 2)",
    );
    await until(
      async () => (await stack.replica.rootQuery("SELECT 1 FROM shop.orders WHERE id = 701")).length === 1,
      "rows after the skip",
    );
    const logged = stack.host.logs.map((record) => record.message).join("\n");
    expect(logged).toMatch(/recovery skipSqlError done: skipped one event .*Duplicate entry '700'/);
  });
});
