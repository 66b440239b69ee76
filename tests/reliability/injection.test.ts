// Injection: hostile text in every string field is refused at the edge naming the field, or carried byte-exact (to the replica for the user name).
import { type LocalStack, hostilePassword } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "../e2e/e2eStack";
import { workflowDependencies } from "../../shared/workflow/dependencies";

jest.setTimeout(240_000);

const HOSTILE: Record<string, string> = {
  quotes: `a'b"c`,
  backslashes: "a\\b\\",
  nul: "a\u0000b",
  dashComment: "x--y",
  sqlInjection: "x'; DROP TABLE shop.orders; --",
  hashComment: "a#b",
  blockComment: "a/*b*/",
  emoji: "r😀p",
  rtl: "רפליקציה\u202Eabc",
  combining: "re\u0301pl\u0327",
  tenKbAscii: "x".repeat(10 * 1024),
  tenKbQuotes: `'"\\`.repeat(3414).slice(0, 10 * 1024),
};

type Path = readonly (string | number)[];

/** Where a request field lands in the registry row, when the row keeps it. */
const STRING_FIELDS: { path: Path; record?: Path }[] = [
  { path: ["source", "host"], record: ["source", "host"] },
  { path: ["source", "replicationUser"], record: ["source", "replicationUser"] },
  { path: ["source", "caCertificate"], record: ["source", "caCertificate"] },
  { path: ["source", "inspectionUser"], record: ["source", "inspectionUser"] },
  { path: ["source", "replicationPassword", "keyVaultSecret"] },
  { path: ["source", "inspectionPassword", "appSetting"] },
  { path: ["replica", "kind"], record: ["replica", "kind"] },
  { path: ["replica", "subscriptionId"], record: ["replica", "subscriptionId"] },
  { path: ["replica", "resourceGroup"], record: ["replica", "resourceGroup"] },
  { path: ["replica", "serverName"], record: ["replica", "serverName"] },
  { path: ["replica", "adminUser"], record: ["replica", "adminUser"] },
  { path: ["replica", "adminPassword", "appSetting"] },
  { path: ["binlog", "file"] },
  { path: ["heartbeat", "writerUser"] },
  { path: ["heartbeat", "database"] },
];

function dotted(path: Path): string {
  return path.map((segment) => (typeof segment === "number" ? `[${segment}]` : segment)).join(".");
}

function get(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (current, segment) =>
      current !== null && typeof current === "object"
        ? (current as Record<string, unknown>)[segment]
        : undefined,
    value,
  );
}

function withValue<T>(body: T, path: Path, value: string): T {
  const copy = JSON.parse(JSON.stringify(body)) as T;
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
  return copy;
}

function hex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}

async function expectNothingLeft(stack: LocalStack): Promise<void> {
  expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
  expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
}

describe("hostile text in string fields", () => {
  let stack: LocalStack;
  const responses: string[] = [];
  const extraSecrets: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startE2eStack({
      appSettings: { START_VERIFY_BUDGET_SECONDS: "20" },
    });
  });
  afterAll(async () => {
    if (!stack) return;
    const secrets = { ...stack.secrets, ...extraSecrets };
    expectNoSecrets(await everythingRecorded(stack), secrets);
    expectNoSecrets(responses.join("\n"), secrets);
    await stack.stop();
  });

  async function call(method: string, path: string, body?: unknown) {
    const response = await stack.host.invokeHttp({ method, path, ...(body !== undefined ? { body } : {}) });
    responses.push(response.body);
    return response;
  }

  it("refuses each value at the edge naming the field, or carries it byte-exact into the run and the registry", async () => {
    // A binlog file the source does not have: every accepted run fails validation before changing anything.
    const base = {
      ...stack.exampleRequest(),
      binlog: { file: "not-on-the-source.000001", position: 4 },
      heartbeat: {
        writerUser: "heartbeat",
        writerPassword: { appSetting: "REPLICATION_SECRET_HEARTBEAT" },
        database: "hb",
      },
    };
    const pem = stack.ca.caCertPem;
    const outcome: Record<string, "refused" | "carried"> = {};
    for (const field of STRING_FIELDS) {
      for (const [name, hostile] of Object.entries(HOSTILE)) {
        // A CA certificate must contain a PEM block: the hostile text goes around a real one.
        const value = field.path[1] === "caCertificate" ? `${hostile}\n${pem}\n${hostile}` : hostile;
        const body = withValue(base, field.path, value);
        const response = await call("POST", "/api/replications", body);
        const key = `${dotted(field.path)} ${name}`;
        if (response.status === 400) {
          outcome[key] = "refused";
          const details = response.json<{ error: { details: { path: string }[] } }>().error.details;
          const named = details.some(
            (detail) => dotted(field.path).startsWith(detail.path) && detail.path.length > 0,
          );
          if (!named) throw new Error(`${key}: 400 without naming the field: ${response.body}`);
          continue;
        }
        if (response.status !== 202) throw new Error(`${key}: answered ${response.status}: ${response.body}`);
        outcome[key] = "carried";
        const id = response.json<{ id: string }>().id;
        const done = await stack.host.waitForInstance(id, { timeoutMs: 60_000 });
        // Byte-exact in what Durable Functions stores, in the registry row and in the public view.
        expect(get(done.input, field.path)).toBe(value);
        const view = (await call("GET", `/api/replications/${id}`)).json<Record<string, unknown>>();
        expect(view).toMatchObject({ state: "failed", rolledBack: null });
        const record = await workflowDependencies().registry.get(id);
        if (field.record) expect(get(record, field.record)).toBe(value);
        if (field.path[1] === "replicationUser") {
          expect((view.source as { replicationUser: string }).replicationUser).toBe(value);
        }
        if (field.path[0] === "heartbeat") expect(get(record?.heartbeat, field.path.slice(1))).toBe(value);
        await expectNothingLeft(stack);
      }
    }
    const byField = new Map<string, { carried: string[]; refused: string[] }>();
    for (const [key, result] of Object.entries(outcome)) {
      const [field = "", name = ""] = key.split(" ");
      const entry = byField.get(field) ?? { carried: [], refused: [] };
      entry[result].push(name);
      byField.set(field, entry);
    }
    console.log(
      `edge outcomes:\n${[...byField]
        .map(
          ([field, { carried, refused }]) =>
            `  ${field}: carried [${carried.join(", ")}] refused [${refused.join(", ")}]`,
        )
        .join("\n")}`,
    );
    // The outcomes a user relies on, pinned: user names are MySQL text (quotes, comments, Unicode are legal)...
    for (const user of [
      "source.replicationUser",
      "source.inspectionUser",
      "replica.adminUser",
      "heartbeat.writerUser",
    ]) {
      for (const name of [
        "quotes",
        "backslashes",
        "sqlInjection",
        "hashComment",
        "blockComment",
        "rtl",
        "combining",
      ]) {
        expect([`${user} ${name}`, outcome[`${user} ${name}`]]).toEqual([`${user} ${name}`, "carried"]);
      }
      // ...but never control characters, nor more than 32 characters.
      // Emoji (outside the BMP) too: utf8mb3 user names would turn them into '?' and another account.
      for (const name of ["nul", "emoji", "tenKbAscii", "tenKbQuotes"]) {
        expect([`${user} ${name}`, outcome[`${user} ${name}`]]).toEqual([`${user} ${name}`, "refused"]);
      }
    }
    // Host, identifiers and secret references take no quotes, comments or NUL at all.
    for (const field of ["source.host", "replica.kind", "replica.subscriptionId", "heartbeat.database"]) {
      // "x--y" is a valid DNS name: only the host may take it.
      for (const name of Object.keys(HOSTILE).filter(
        (item) => field !== "source.host" || item !== "dashComment",
      ))
        expect([field, name, outcome[`${field} ${name}`]]).toEqual([field, name, "refused"]);
    }
    // The CA certificate is PEM text: what surrounds the blocks is carried as given (the replica reads only the blocks).
    expect(outcome["source.caCertificate tenKbQuotes"]).toBe("carried");
  });

  /** Creates a source user with this name and a hostile password kept in Key Vault; returns the request for it. */
  async function requestFor(user: string, secretName: string) {
    const password = hostilePassword();
    extraSecrets[`${secretName}`] = password;
    await stack.source.createUser({ user, password, privileges: ["REPLICATION SLAVE"] });
    stack.emulators.keyVault.setSecret(secretName, password, {
      tags: stack.bindingTags("source-replication", user),
    });
    const request = stack.exampleRequest();
    return {
      ...request,
      source: {
        ...request.source,
        replicationUser: user,
        replicationPassword: { keyVaultSecret: `${stack.emulators.keyVault.vaultUrl}/secrets/${secretName}` },
      },
    };
  }

  it.each([
    ["quotes and a backslash", `r'e"p\\l`, "hostile-quotes"],
    ["comment markers and an injection attempt", "r'--#/*x*/; DROP USER root", "hostile-comments"],
    // MySQL's IO thread logs in with the name in utf8mb4, so non-ASCII names replicate (a MariaDB replica sent them in
    // latin1 and failed with 1045: that was MariaDB's behaviour, not Azure's).
    ["Hebrew and an RTL override", "רפליקציה\u202Eabc", "hostile-rtl"],
    ["combining marks", "re\u0301pl\u0327", "hostile-combining"],
  ])(
    "links the replica as a user named with %s, stored byte-exact as Source_User",
    async (_label, user, secretName) => {
      const request = await requestFor(user, secretName);
      const { view } = await provisionAndWait(stack, request);
      expect(view).toMatchObject({ state: "replicating", source: { replicationUser: user } });
      const [status] = await stack.replica.rootQuery<{
        Source_User: string;
        Source_Host: string;
        Replica_IO_Running: string;
      }>("SHOW REPLICA STATUS");
      expect(hex(status!.Source_User)).toBe(hex(user));
      expect(status!.Source_Host).toBe(request.source.host);
      expect(status!.Replica_IO_Running).toBe("Yes");
      // The same request again is the same link (the stored name compares equal), not a conflict.
      const again = await call("POST", "/api/replications", request);
      expect(again.status).toBe(200);

      const id = String(view.id);
      expect((await call("DELETE", `/api/replications/${id}`)).status).toBe(202);
      await stack.host.waitForInstance(`${id}-teardown`, { timeoutMs: 60_000 });
      await expectNothingLeft(stack);
    },
  );

  it("refuses an emoji user name at the edge, naming the field, before anything runs", async () => {
    // MySQL and MariaDB keep user names in utf8mb3: MariaDB stores 'r😀p' as 'r?p', and a login as 'r😀p' is a
    // login as 'r?p'. Accepting it would link another account than the one named.
    const before = stack.host.instances().length;
    const request = stack.exampleRequest();
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...request, source: { ...request.source, replicationUser: "r😀p" } },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        details: [{ path: "source.replicationUser", message: expect.stringContaining("utf8mb3") as string }],
      },
    });
    expect(stack.host.instances()).toHaveLength(before);
  });
});
