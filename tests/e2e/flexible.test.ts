// End to end for Flexible Server replicas: both linking modes, the replica checks (tier policy, private access, HA), errant GTIDs, re-validation and teardown.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, startE2eStack } from "./e2eStack";

import {
  until,
  provision,
  revalidate,
  tearDown,
  replicaLink,
  expectRowsReplicate,
  checkOf,
} from "./flexibleHelpers";

jest.setTimeout(300_000);

describe("Flexible Server replica: linking by binlog position and by GTID", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    // A Flexible replica whose gtid_mode was raised to ON (server parameter), and a GTID source: both linking methods work.
    stack = await startE2eStack({
      replicaKind: "flexible",
      source: { gtidMode: "ON" },
      replicaGtidMode: "ON",
    });
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack?.stop();
  });

  it("links by binlog position by default, names the source's firewall instead of making a rule, re-validates and tears down", async () => {
    const view = await provision(stack, {
      ...stack.exampleRequest(),
      replica: { ...stack.exampleRequest().replica, outboundAddress: "20.61.12.34" },
    });
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(view.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(view.linking).toEqual({ method: "binlogPosition", chosenBy: "default" });
    expect(view.coordinates).not.toBeNull();
    expect(view.firewallRule).toBeNull();
    expect(view.sourceFirewall?.replicaOutboundAddress).toBe("20.61.12.34");
    expect(view.sourceFirewall?.instruction).toContain("must admit 20.61.12.34");
    expect(checkOf(view, "SOURCE_FIREWALL_ADMITS_REPLICA")?.status).toBe("warn");
    expect(checkOf(view, "REPLICA_PUBLIC_ACCESS")?.status).toBe("pass");
    expect(checkOf(view, "REPLICA_HA_LINKING")?.status).toBe("pass");
    expect(stack.emulators.arm.server(stack.serverName).firewallRules()).toEqual([]);
    expect(await replicaLink(stack)).toMatchObject({ Auto_Position: 0 });
    await expectRowsReplicate(stack, 2001);

    const checked = await revalidate(stack, view.id);
    expect(checked.health).toMatchObject({ state: "healthy", ioThread: "Yes", sqlThread: "Yes", drift: [] });

    const removed = await tearDown(stack, view.id);
    expect(removed.state).toBe("removed");
    expect(await replicaLink(stack)).toBeUndefined();
    expect(stack.emulators.arm.server(stack.serverName).firewallRules()).toEqual([]);
  });

  it("links by GTID when asked, resuming from the replica's GTID position, and replicates", async () => {
    const view = await provision(stack, { ...stack.exampleRequest(), linking: "gtid" });
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(view.linking).toEqual({ method: "gtid", chosenBy: "request" });
    expect(view.coordinates).toBeNull();
    // The replica's GTID state, a MySQL GTID set (uuid:interval).
    expect(view.gtidPosition).toMatch(/^[0-9a-f-]{36}:\d+(-\d+)?/);
    for (const code of ["GTID_MODE", "GTID_ERRANT_TRANSACTIONS", "GTID_PURGED_NEEDED"]) {
      expect(checkOf(view, code)?.status).not.toBe("fail");
    }
    expect(checkOf(view, "GTID_ERRANT_TRANSACTIONS")?.status).toBe("pass");
    expect(await replicaLink(stack)).toMatchObject({ Auto_Position: 1 });
    await expectRowsReplicate(stack, 2002);

    const checked = await revalidate(stack, view.id);
    expect(checked.health).toMatchObject({ state: "healthy", drift: [] });
    expect((await tearDown(stack, view.id)).state).toBe("removed");
    expect(await replicaLink(stack)).toBeUndefined();
  });

  it("catches transactions the replica still needs but the source has purged, before linking by GTID, and changes nothing", async () => {
    // Writes the replica never got, then the source's binlogs holding them are purged: auto-positioning would ask for
    // them and stop with 13114.
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (9100, 'purged', 0.10)",
    );
    await stack.source.flushBinaryLogs();
    const logs = await stack.source.binaryLogs();
    await stack.source.purgeBinaryLogsTo(logs[logs.length - 1]!.name);
    const view = await provision(stack, { ...stack.exampleRequest(), linking: "gtid" });
    expect(view.error?.code).toBe("VALIDATION_FAILED");
    expect(checkOf(view, "GTID_PURGED_NEEDED")).toMatchObject({ status: "fail" });
    expect(checkOf(view, "GTID_PURGED_NEEDED")?.message).toMatch(/purged/);
    expect(view.changes).toEqual([]);
    expect(await replicaLink(stack)).toBeUndefined();
    // Give the replica the row and the source's GTID state, as a fresh dump would, for the next test.
    const connection = await stack.replica.rootConnection();
    try {
      await connection.query("SET SESSION sql_log_bin = 0");
      await connection.query("INSERT INTO shop.orders (id, customer, amount) VALUES (9100, 'purged', 0.10)");
    } finally {
      await connection.end();
    }
    await stack.seedReplicaGtidState();
  });

  it("catches an errant transaction on the replica before linking by GTID, and changes nothing", async () => {
    // A write on the replica itself: logged under the replica's own server_uuid, unknown to the source.
    await stack.replica.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (9001, 'errant', 0.01)",
    );
    const view = await provision(stack, { ...stack.exampleRequest(), linking: "gtid" });
    expect(view.state).toBe("failed");
    expect(view.error?.code).toBe("VALIDATION_FAILED");
    const errant = checkOf(view, "GTID_ERRANT_TRANSACTIONS");
    expect(errant?.status).toBe("fail");
    expect(errant?.message).toMatch(/errant transactions/);
    const [{ uuid }] = (await stack.replica.rootQuery("SELECT @@server_uuid AS uuid")) as [{ uuid: string }];
    expect(errant?.message).toContain(uuid);
    expect(view.rolledBack).toBeNull();
    expect(view.changes).toEqual([]);
    expect(await replicaLink(stack)).toBeUndefined();
  });

  it("skips a 1062 on a GTID link by its GTID (az_replication_skip_gtid_transaction), records it, and stays up across a reconnect and a restart", async () => {
    // The previous test left an errant transaction on the replica: seed its GTID state again, as a fresh dump would.
    await stack.seedReplicaGtidState();
    const view = await provision(stack, {
      ...stack.exampleRequest(),
      linking: "gtid",
      policy: { skipErrors: [{ errno: 1062, maxSkips: 1 }] },
    });
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(await replicaLink(stack)).toMatchObject({ Auto_Position: 1 });

    const replicaOnly = await stack.replica.rootConnection();
    try {
      await replicaOnly.query("SET SESSION sql_log_bin = 0");
      await replicaOnly.query(
        "INSERT INTO shop.orders (id, customer, amount) VALUES (2100, 'replica-only', 1)",
      );
    } finally {
      await replicaOnly.end();
    }
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (2100, 'from-source', 2)",
    );
    const [{ uuid }] = (await stack.source.rootQuery("SELECT @@server_uuid AS uuid")) as [{ uuid: string }];
    const [{ executed }] = (await stack.source.rootQuery("SELECT @@GLOBAL.gtid_executed AS executed")) as [
      { executed: string },
    ];
    // The source's newest transaction: the end of the last interval of its own UUID's set.
    const own =
      executed
        .replace(/\s+/g, "")
        .split(",")
        .find((part) => part.startsWith(uuid)) ?? "";
    const failing = `${uuid}:${own.split(":").pop()?.split("-").pop() ?? ""}`;
    await until(async () => {
      const row = await replicaLink(stack);
      return Number(row?.Last_SQL_Errno) !== 0;
    }, "the 1062 on the replica");

    const checked = await revalidate(stack, view.id);
    const health = checked.health as unknown as {
      recovery: { action: string; outcome: string; detail: string }[];
      sqlThread: string;
    };
    expect(health.recovery).toEqual([
      expect.objectContaining({
        action: "skipSqlError",
        outcome: "done",
        detail: expect.stringContaining(
          `skipped transaction ${failing} with az_replication_skip_gtid_transaction`,
        ) as string,
      }),
    ]);
    await expectRowsReplicate(stack, 2101);

    // A reconnect: auto-positioning asks the source for everything the replica lacks; the skipped GTID is not among them.
    await stack.replica.rootQuery("STOP REPLICA");
    await stack.replica.rootQuery("START REPLICA");
    await expectRowsReplicate(stack, 2102);
    await stack.replica.restart();
    await until(async () => {
      const row = await replicaLink(stack);
      return row?.Replica_IO_Running === "Yes" && row.Replica_SQL_Running === "Yes";
    }, "replication running after the replica's restart");
    await expectRowsReplicate(stack, 2103);
    const row = await replicaLink(stack);
    expect(row).toMatchObject({ Last_SQL_Errno: 0, Replica_SQL_Running: "Yes" });
    const [kept] = await stack.replica.rootQuery<{ customer: string }>(
      "SELECT customer FROM shop.orders WHERE id = 2100",
    );
    expect(kept?.customer).toBe("replica-only");
    const [{ gtids }] = (await stack.replica.rootQuery("SELECT @@GLOBAL.gtid_executed AS gtids")) as [
      { gtids: string },
    ];
    expect(gtids.replace(/\s+/g, "")).toContain(uuid);

    const again = await revalidate(stack, view.id);
    expect(again.health).toMatchObject({ state: "healthy", sqlThread: "Yes" });
    expect((await tearDown(stack, view.id)).state).toBe("removed");
  });

  it("resets the replica's GTID state to the dump's through Resource Manager when asked (resetGtid), then links by GTID", async () => {
    // A replica restored from a dump, but without the dump's GTID state: a GTID link would replay the whole history.
    await stack.replica.rootQuery("RESET BINARY LOGS AND GTIDS");
    const [{ executed }] = (await stack.source.rootQuery("SELECT @@GLOBAL.gtid_executed AS executed")) as [
      { executed: string },
    ];
    const gtidSet = executed.replace(/\s+/g, "");
    const body = {
      ...stack.exampleRequest(),
      replica: { ...stack.exampleRequest().replica, resetGtid: { gtidSet } },
    };

    const planned = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...body, dryRun: true },
    });
    expect(planned.status).toBe(200);
    const plan = planned.json<{
      checks: { code: string; status: string; message: string }[];
      plannedChanges: Record<string, unknown>;
      linking: unknown;
    }>();
    expect(plan.linking).toEqual({ method: "gtid", chosenBy: "request" });
    expect(plan.plannedChanges.gtidReset).toMatchObject({ gtidSet, invalidatesBackups: true });
    expect(plan.checks.find((item) => item.code === "GTID_RESET")).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/invalidates the server's existing backups/) as string,
    });
    expect(plan.checks.filter((item) => item.status === "fail")).toEqual([]);
    const untouched = (await stack.replica.rootQuery("SELECT @@GLOBAL.gtid_executed AS executed")) as [
      { executed: string },
    ];
    expect(untouched[0].executed).toBe("");

    const resetCalls = () =>
      stack.emulators.arm.requests.filter((r) => r.method === "POST" && r.path.endsWith("/resetGtid")).length;
    const before = resetCalls();
    const view = await provision(stack, body);
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(view.changes[0]).toMatch(/^reset the replica's GTID state to .*invalidated/);
    expect(resetCalls()).toBe(before + 1);
    const [{ now }] = (await stack.replica.rootQuery("SELECT @@GLOBAL.gtid_purged AS now")) as [
      { now: string },
    ];
    expect(now.replace(/\s+/g, "")).toBe(gtidSet);
    expect(await replicaLink(stack)).toMatchObject({ Auto_Position: 1, Last_SQL_Errno: 0 });
    await expectRowsReplicate(stack, 2201);

    // Azure refuses a reset while replication runs: so does the check, before anything changes.
    const running = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...body, dryRun: true },
    });
    expect(
      running
        .json<{ checks: { code: string; status: string }[] }>()
        .checks.find((item) => item.code === "GTID_RESET"),
    ).toMatchObject({ status: "fail" });
    expect((await tearDown(stack, view.id)).state).toBe("removed");
  });
});
