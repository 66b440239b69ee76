// End to end on real MySQL: rotation and cutover through the HTTP API, with writes running, faults and timings.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "./e2eStack";

jest.setTimeout(300_000);

type Json = Record<string, unknown>;

describe("a link's later life: rotation and cutover", () => {
  let stack: LocalStack;
  let id: string;
  const newPassword = `N3w-${Date.now().toString(36)}'"\\;`;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await stack.host.invokeHttp({ method, path, ...(body === undefined ? {} : { body }) });
    return { status: response.status, json: response.json<Json>() };
  };
  const runOperation = async (
    operation: "rotation" | "cutover",
    start: Promise<{ status: number; json: Json }>,
  ) => {
    const started = await start;
    expect(started.status).toBe(202);
    await stack.host.waitForInstance(`${id}-${operation}`, { timeoutMs: 240_000 });
    const status = await call("GET", `/api/replications/${id}/operations/${operation}`);
    expect(status.status).toBe(200);
    return status.json.report as Json;
  };
  const replicaStatus = async () => (await stack.replica.rootQuery("SHOW REPLICA STATUS"))[0];
  const checksum = async (server: LocalStack["source"]) =>
    String(((await server.rootQuery("CHECKSUM TABLE shop.orders"))[0] as Json).Checksum);
  const waitUntil = async (what: string, test: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await test())) {
      if (Date.now() > deadline) {
        const status = await replicaStatus();
        throw new Error(
          `timed out waiting for ${what}; replica: ${JSON.stringify({
            io: status?.Replica_IO_Running,
            sql: status?.Replica_SQL_Running,
            ioError: status?.Last_IO_Error,
            sqlError: status?.Last_SQL_Error,
            exec: [status?.Relay_Source_Log_File, status?.Exec_Source_Log_Pos],
            read: [status?.Source_Log_File, status?.Read_Source_Log_Pos],
          })}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Account changes on the source stay out of its binlog: accounts are not replicated (the replica has no `repl`). */
  const onSourceOnly = async (sql: string, params: unknown[] = []) => {
    const connection = await stack.source.rootConnection();
    try {
      await connection.query("SET SESSION sql_log_bin = 0");
      await connection.query(sql, params);
    } finally {
      await connection.end();
    }
  };

  beforeAll(async () => {
    stack = await startE2eStack();
    const { view } = await provisionAndWait(stack, stack.exampleRequest());
    expect(view.state).toBe("replicating");
    id = String(view.id);
    // The sample rows were seeded on each side separately, with their own created_at: make them equal through
    // replication, so a checksum compares what replication is responsible for.
    await stack.source.rootQuery("UPDATE shop.orders SET created_at = '2020-01-01 00:00:00' WHERE id <= 3");
    await waitUntil(
      "the seeded rows to match",
      async () => (await checksum(stack.source)) === (await checksum(stack.replica)),
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("refuses a wrong new password before touching the link", async () => {
    stack.setBoundAppSetting(
      "REPLICATION_SECRET_WRONG_REPL",
      "not-the-password",
      "source-replication",
      "repl",
    );
    const report = await runOperation(
      "rotation",
      call("PATCH", `/api/replications/${id}`, {
        replicationPassword: { appSetting: "REPLICATION_SECRET_WRONG_REPL" },
      }),
    );
    expect(report).toMatchObject({ outcome: "failed", rolledBack: null, changes: [] });
    expect((report.error as Json).code).toBe("NEW_PASSWORD_REJECTED");
    expect(await replicaStatus()).toMatchObject({ Replica_IO_Running: "Yes", Replica_SQL_Running: "Yes" });
    expect((await call("GET", `/api/replications/${id}`)).json.state).toBe("replicating");
  });

  it("rotates the password and CA at the applied position while writes run: nothing lost, nothing applied twice", async () => {
    await onSourceOnly("ALTER USER 'repl'@'%' IDENTIFIED BY ? RETAIN CURRENT PASSWORD", [newPassword]);
    stack.setBoundAppSetting("REPLICATION_SECRET_NEW_REPL", newPassword, "source-replication", "repl");
    // Inserts (applied twice: 1062) and increments (applied twice: 1032 on the row image, or a wrong sum) keep coming.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (let n = 1000; writing; n += 1) {
        await stack.source.rootQuery(
          "INSERT INTO shop.orders (id, customer, amount) VALUES (?, 'load', 1.00)",
          [n],
        );
        await stack.source.rootQuery("UPDATE shop.orders SET amount = amount + 1 WHERE id = 1");
        written += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const report = await runOperation(
      "rotation",
      call("PATCH", `/api/replications/${id}`, {
        replicationPassword: { appSetting: "REPLICATION_SECRET_NEW_REPL" },
        caCertificate: `${stack.ca.caCertPem.trim()}\n`,
      }),
    );
    const rotationMs = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    writing = false;
    await writer;
    console.log(
      `rotation (PATCH to done, writes running): ${rotationMs} ms; ${written} write pairs during the test`,
    );
    if (report.outcome !== "succeeded") console.log(JSON.stringify(report, null, 1));
    expect(report).toMatchObject({ outcome: "succeeded", rolledBack: null });
    expect(report.coordinates).toEqual({ file: expect.any(String), position: expect.any(Number) });

    const [sourceCount] = await stack.source.rootQuery<{ n: number }>(
      "SELECT COUNT(*) AS n FROM shop.orders",
    );
    await waitUntil("the replica to apply every write", async () => {
      const [row] = await stack.replica.rootQuery<{ n: number }>("SELECT COUNT(*) AS n FROM shop.orders");
      return Number(row?.n) === Number(sourceCount?.n);
    });
    await waitUntil(
      "equal checksums",
      async () => (await checksum(stack.source)) === (await checksum(stack.replica)),
    );
    expect(await replicaStatus()).toMatchObject({
      Replica_IO_Running: "Yes",
      Replica_SQL_Running: "Yes",
      Last_SQL_Errno: 0,
    });

    // The link really uses the new password: with the old one gone, a reconnect still works.
    await onSourceOnly("ALTER USER 'repl'@'%' DISCARD OLD PASSWORD");
    await stack.replica.rootQuery("STOP REPLICA IO_THREAD");
    await stack.replica.rootQuery("START REPLICA IO_THREAD");
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (99999, 'after', 1.00)",
    );
    await waitUntil(
      "a row written after the reconnect",
      async () => (await stack.replica.rootQuery("SELECT 1 FROM shop.orders WHERE id = 99999")).length === 1,
    );
    expect((await call("GET", `/api/replications/${id}`)).json.state).toBe("replicating");
    expectNoSecrets(await everythingRecorded(stack), { ...stack.secrets, newPassword });
  });

  it("refuses to cut over while the source is writable, and changes nothing", async () => {
    const report = await runOperation("cutover", call("POST", `/api/replications/${id}/cutover`, {}));
    expect(report).toMatchObject({ outcome: "refused", rolledBack: null });
    expect((report.error as Json).code).toBe("SOURCE_WRITABLE");
    expect(await replicaStatus()).toMatchObject({ Replica_IO_Running: "Yes", Replica_SQL_Running: "Yes" });
  });

  it("source down mid-cutover: stops with the reason, the link keeps replicating once the source is back", async () => {
    // A delayed replica keeps the cutover waiting; the source then dies while it waits.
    await stack.replica.rootQuery("STOP REPLICA");
    await stack.replica.rootQuery("CHANGE REPLICATION SOURCE TO SOURCE_DELAY = 3600");
    await stack.replica.rootQuery("START REPLICA");
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (1000000, 'late', 1.00)",
    );
    const started = await call("POST", `/api/replications/${id}/cutover`, {
      requireSourceReadOnly: false,
      catchUpTimeoutSeconds: 86_400,
      maxLagSeconds: 86_400,
    });
    expect(started.status).toBe(202);
    await waitUntil("the cutover to wait for the replica", async () => {
      const status = await call("GET", `/api/replications/${id}/operations/cutover`);
      return status.json.step === "waitingForReplica" && status.json.lag !== null;
    });
    const busy = await call("PATCH", `/api/replications/${id}`, {
      replicationPassword: { appSetting: "REPLICATION_SECRET_NEW_REPL" },
    });
    expect(busy.status).toBe(409);
    expect((busy.json.error as Json).code).toBe("OperationInProgress");
    expect((await call("GET", `/api/replications/${id}`)).json.state).toBe("cuttingOver");
    await stack.source.kill();
    await stack.host.waitForInstance(`${id}-cutover`, { timeoutMs: 240_000 });
    const report = (await call("GET", `/api/replications/${id}/operations/cutover`)).json.report as Json;
    expect(report).toMatchObject({ outcome: "failed", rolledBack: null });
    expect((report.error as Json).code).toBe("SOURCE_UNREACHABLE");
    expect((report.lag as unknown[]).length).toBeGreaterThan(0);

    await stack.source.restart();
    await stack.replica.rootQuery("STOP REPLICA");
    await stack.replica.rootQuery("CHANGE REPLICATION SOURCE TO SOURCE_DELAY = 0");
    await stack.replica.rootQuery("START REPLICA");
    await waitUntil(
      "the delayed row",
      async () =>
        (await stack.replica.rootQuery("SELECT 1 FROM shop.orders WHERE id = 1000000")).length === 1,
      60_000,
    );
    expect((await call("GET", `/api/replications/${id}`)).json.state).toBe("replicating");
  });

  it("cuts over a read-only source: caught up, checksums equal, link and firewall rule removed, state cutOver", async () => {
    await stack.source.rootQuery("SET GLOBAL super_read_only = ON");
    try {
      const started = Date.now();
      const report = await runOperation(
        "cutover",
        call("POST", `/api/replications/${id}/cutover`, { checksumTables: ["shop.orders"] }),
      );
      console.log(`cutover (POST to done): ${Date.now() - started} ms`);
      expect(report).toMatchObject({ outcome: "succeeded", error: null });
      expect(report.checksums).toEqual([expect.objectContaining({ table: "shop.orders", equal: true })]);
      expect((report.nextSteps as string[]).join(" ")).toMatch(/grants/);
      expect(await replicaStatus()).toBeUndefined();
      expect(stack.emulators.arm.server(stack.serverName)?.firewallRules() ?? []).toEqual([]);
      const view = await call("GET", `/api/replications/${id}`);
      expect(view.json.state).toBe("cutOver");
      const again = await call("POST", `/api/replications/${id}/cutover`, {});
      expect(again.status).toBe(409);
    } finally {
      await stack.source.rootQuery("SET GLOBAL super_read_only = OFF");
    }
  });
});
