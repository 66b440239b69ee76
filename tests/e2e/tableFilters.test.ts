// End to end for table filters (issue 17 part 1) on a Flexible replica: replicate_wild_ignore_table set through ARM,
// applied by the real replica, merged with the server's own value, restored on rollback and teardown, drift reported.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, startE2eStack } from "./e2eStack";
import {
  type View,
  checkOf,
  getView,
  provision,
  replicaLink,
  revalidate,
  tearDown,
  until,
} from "./flexibleHelpers";

jest.setTimeout(300_000);

const PARAMETER = "replicate_wild_ignore_table";

interface FilterView extends View {
  tableFilters: { parameter: string; ignoreTables: string[]; value: string; previousValue: string } | null;
  rollback: { action: string; outcome: string; detail: string }[];
}

describe("table filters (Flexible Server)", () => {
  let stack: LocalStack;

  const armValue = () => stack.emulators.arm.server(stack.serverName).parameters.get(PARAMETER)?.value;
  const replicaFilter = async () => {
    const value = (await replicaLink(stack))?.Replicate_Wild_Ignore_Table;
    return typeof value === "string" ? value : "";
  };
  const request = (ignoreTables: string[], extra: Record<string, unknown> = {}) => ({
    ...stack.exampleRequest(),
    filters: { ignoreTables },
    ...extra,
  });

  beforeAll(async () => {
    stack = await startE2eStack({ replicaKind: "flexible" });
    // Both sides as if restored from one dump, without binlogging the DDL: an audit table without a primary key,
    // and an invoice table with a foreign key to customers.
    for (const server of [stack.source, stack.replica]) {
      const connection = await server.rootConnection();
      try {
        await connection.query("SET SESSION sql_log_bin = 0");
        await connection.query(
          "CREATE TABLE shop.audit_log (at DATETIME(6) NOT NULL, note VARCHAR(64)) ENGINE=InnoDB",
        );
        await connection.query(
          "CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB",
        );
        await connection.query(
          "CREATE TABLE shop.invoices (id INT PRIMARY KEY, customer_id INT NOT NULL, CONSTRAINT invoices_customer FOREIGN KEY (customer_id) REFERENCES shop.customers (id)) ENGINE=InnoDB",
        );
      } finally {
        await connection.end();
      }
    }
  });
  afterAll(async () => {
    if (stack) expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack?.stop();
  });

  it("leaves a filtered table out of replication and of the key check, keeps the server's own patterns, reports drift, and restores on teardown", async () => {
    // The operator's own filter, already on the server: kept while the link runs, and what teardown puts back.
    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "ops.%");
    const view = (await provision(stack, request(["shop.audit%"]))) as FilterView;
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    // Without the filter, audit_log (no primary key) would be listed; with it the check passes and says why.
    const keys = checkOf(view, "PRIMARY_KEYS");
    expect(keys?.status).toBe("pass");
    expect(keys?.message).toContain("filters.ignoreTables (shop.audit%)");
    expect(checkOf(view, "TABLE_FILTER_FOREIGN_KEYS")?.status).toBe("pass");
    expect(checkOf(view, "TABLE_FILTER_PARAMETER")?.status).toBe("pass");
    expect(view.tableFilters).toEqual({
      parameter: PARAMETER,
      ignoreTables: ["shop.audit%"],
      value: "ops.%,shop.audit%",
      previousValue: "ops.%",
    });
    expect(armValue()).toBe("ops.%,shop.audit%");
    expect(await replicaFilter()).toBe("ops.%,shop.audit%");

    await stack.source.rootQuery("INSERT INTO shop.audit_log (at, note) VALUES (NOW(6), 'filtered')");
    await stack.source.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (7001, 'kept', 1.00)",
    );
    await until(
      async () => (await stack.replica.rootQuery("SELECT 1 FROM shop.orders WHERE id = 7001")).length === 1,
      "the unfiltered row on the replica",
    );
    // The audit row was written first, so it has been applied or skipped by now: skipped.
    expect(await stack.replica.rootQuery("SELECT * FROM shop.audit_log")).toEqual([]);
    expect((await replicaLink(stack))?.Replica_SQL_Running).toBe("Yes");

    const healthy = await revalidate(stack, view.id);
    expect(healthy.health?.drift).toEqual([]);

    // Changed behind the app's back (the portal, say): reported, not repaired.
    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "ops.%");
    const drifted = await revalidate(stack, view.id);
    const drift = drifted.health?.drift.find((item) => item.code === "REPLICATION_FILTER_CHANGED");
    expect(drift?.message).toContain("tables meant to be left out are replicated again");
    expect(armValue()).toBe("ops.%");

    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "ops.%,shop.audit%");
    const removed = (await tearDown(stack, view.id)) as FilterView;
    expect(removed.state).toBe("removed");
    expect(armValue()).toBe("ops.%");
    expect(await replicaLink(stack)).toBeUndefined();
    const [filter] = await stack.replica.rootQuery<{ FILTER_RULE: string }>(
      "SELECT FILTER_RULE FROM performance_schema.replication_applier_global_filters WHERE FILTER_NAME = 'REPLICATE_WILD_IGNORE_TABLE'",
    );
    expect(filter?.FILTER_RULE).toBe("ops.%");
    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "");
  });

  it("warns when a filter splits a foreign key, in the dry run", async () => {
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: request(["shop.invoices"], { dryRun: true }),
    });
    expect(response.status).toBe(200);
    const report = response.json<{
      checks: { code: string; status: string; message: string }[];
      plannedChanges: { tableFilter: unknown };
    }>();
    const split = report.checks.find((item) => item.code === "TABLE_FILTER_FOREIGN_KEYS");
    expect(split?.status).toBe("warn");
    expect(split?.message).toContain(
      "shop.invoices (invoices_customer) references shop.customers, and only shop.invoices is filtered out",
    );
    // Without the audit filter, its missing primary key is reported again (a warning on Flexible Server).
    expect(report.checks.find((item) => item.code === "PRIMARY_KEYS")?.message).toContain("shop.audit_log");
    expect(report.plannedChanges.tableFilter).toEqual({
      parameter: PARAMETER,
      value: "shop.invoices",
      previousValue: "",
    });
    expect(armValue()).toBe("");
  });

  it("retries an ARM 429 on the parameter change and succeeds", async () => {
    // @azure/arm-mysql-flexible 3.1 sets a configuration with PATCH (Configurations_Update).
    const throttle = stack.emulators.arm.faults.add({
      method: "PATCH",
      pathIncludes: "configurations",
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const view = (await provision(stack, request(["shop.audit%"]))) as FilterView;
    expect(throttle.hits).toBe(2);
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(armValue()).toBe("shop.audit%");
    expect(await replicaFilter()).toBe("shop.audit%");
    expect((await tearDown(stack, view.id)).state).toBe("removed");
    expect(armValue()).toBe("");
  });

  it("puts the previous value back when the run fails permanently after the parameter was set", async () => {
    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "ops.%");
    // Slow the parameter change so the replication password can change under the run: linking then fails with 1045.
    stack.emulators.arm.faults.add({
      method: "PATCH",
      pathIncludes: "configurations",
      delayMs: 1500,
      times: 1,
    });
    const started = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: request(["shop.audit%"]),
    });
    expect(started.status).toBe(202);
    const id = started.json<{ id: string }>().id;
    await until(
      async () => (await getView(stack, id)).state === "filteringTables",
      "the filteringTables step",
    );
    await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY 'rotated-elsewhere'");
    try {
      await stack.host.waitForInstance(id, { timeoutMs: 120_000 });
      const view = (await getView(stack, id)) as FilterView;
      expect(view).toMatchObject({ state: "failed", rolledBack: true, error: { code: "MYSQL_1045" } });
      expect(view.rollback).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: "removeLink", outcome: "done" }),
          expect.objectContaining({ action: "restoreTableFilter", outcome: "done" }),
        ]),
      );
      expect(armValue()).toBe("ops.%");
      expect(await replicaLink(stack)).toBeUndefined();
    } finally {
      await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY ?", [
        stack.secrets.replicationPassword,
      ]);
      stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "");
    }
  });

  it("a refused parameter change (ARM 403) is rolled back, not left as 'nothing changed'", async () => {
    // The filter step records its undo before it asks for the change: the refusal may come after ARM applied it.
    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "ops.%");
    stack.emulators.arm.faults.add({
      method: "PATCH",
      pathIncludes: "configurations",
      status: 403,
      body: { error: { code: "AuthorizationFailed", message: "The client does not have authorization." } },
      times: 1,
    });
    try {
      const view = (await provision(stack, request(["shop.audit%"]))) as FilterView;
      expect(view).toMatchObject({
        state: "failed",
        rolledBack: true,
        error: { code: "TABLE_FILTER_FAILED" },
      });
      expect(view.rollback).toEqual(
        expect.arrayContaining([expect.objectContaining({ action: "restoreTableFilter" })]),
      );
      expect(armValue()).toBe("ops.%");
      expect(await replicaLink(stack)).toBeUndefined();
    } finally {
      stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "");
    }
  });

  it("refuses a replication password over MySQL's 32 bytes at validation, before the filter or anything else changes", async () => {
    // CHANGE REPLICATION SOURCE would refuse it (3056) at link time, after the parameter change; the source accepts it.
    const longPassword = `${"x".repeat(40)}'"`;
    await stack.source.createUser({
      user: "repl_long",
      password: longPassword,
      privileges: ["REPLICATION SLAVE"],
    });
    stack.setBoundAppSetting("REPLICATION_SECRET_REPL_LONG", longPassword, "source-replication", "repl_long");
    stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "ops.%");
    try {
      const base = request(["shop.audit%"]);
      const view = (await provision(stack, {
        ...base,
        source: {
          ...base.source,
          replicationUser: "repl_long",
          replicationPassword: { appSetting: "REPLICATION_SECRET_REPL_LONG" },
        },
      })) as FilterView;
      expect(view).toMatchObject({ state: "failed", rolledBack: null, changes: [] });
      expect(checkOf(view, "REPLICATION_PASSWORD_LENGTH")).toMatchObject({
        status: "fail",
        message: expect.stringMatching(/42 bytes.*32 bytes.*3056/) as string,
      });
      expect(armValue()).toBe("ops.%");
      expect(await replicaLink(stack)).toBeUndefined();
    } finally {
      stack.emulators.arm.server(stack.serverName).setParameter(PARAMETER, "");
      await stack.source.rootQuery("DROP USER 'repl_long'@'%'");
    }
  });
});
