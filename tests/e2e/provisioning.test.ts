// End to end: POST /api/replications through the local host against real MariaDB processes and the Azure emulators.
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "./e2eStack";

jest.setTimeout(180_000);

describe("provisioning, happy path", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("ends replicating, shows every check and both threads, and replicates new rows", async () => {
    const started = Date.now();
    const { post, view } = await provisionAndWait(stack, stack.exampleRequest());
    console.log(`POST to replicating: ${Date.now() - started} ms`);
    expect(post.status).toBe(202);
    expect(view.state).toBe("replicating");
    const checks = view.checks as { code: string; status: string }[];
    expect(checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(checks.map((c) => c.code)).toEqual(
      expect.arrayContaining([
        "LOG_BIN",
        "PRIMARY_KEYS",
        "INNODB_TABLES",
        "REPLICA_TIER",
        "VERSION_MATCH",
        "BINLOG_COORDINATES",
      ]),
    );
    expect(view.replication).toMatchObject({ ioThread: "Yes", sqlThread: "Yes" });

    await stack.source.rootQuery("INSERT INTO shop.orders (id, customer, amount) VALUES (100, 'new', 1.00)");
    const deadline = Date.now() + 20_000;
    let rows: Record<string, unknown>[] = [];
    while (Date.now() < deadline) {
      rows = await stack.replica.rootQuery("SELECT customer FROM shop.orders WHERE id = 100");
      if (rows.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ customer: "new" }]);

    const rules = stack.emulators.arm.server(stack.serverName)?.firewallRules() ?? [];
    expect(rules.map((rule) => rule.startIpAddress)).toEqual(["127.0.0.1"]);
    expectNoSecrets(await everythingRecorded(stack), stack.secrets);
  });
});
