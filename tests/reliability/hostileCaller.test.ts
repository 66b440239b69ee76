// A hostile caller with a function key (issue 11): secrets sent elsewhere, hostile addresses, oversized and non-JSON
// bodies, keyless durable webhook calls.
import { request as httpRequest } from "node:http";
import { type LocalStack } from "../../dev/stack/localStack";
import { startE2eStack } from "../e2e/e2eStack";
import { startFakeMysqlServer, type FakeMysqlServer } from "./fakeMysqlServer";
import { bindingSettingName, sourceDestination } from "../../shared/secrets/secretBinding";

jest.setTimeout(180_000);

const HUNDRED_MB = 100 * 1024 * 1024;

/** Streams `total` bytes of a JSON-looking body without holding them: the test itself must not allocate 100 MB. */
function postStreaming(
  url: string,
  total: number,
  options: { declareLength: boolean },
): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const req = httpRequest(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(options.declareLength ? { "content-length": String(total) } : {}),
      },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, sent }));
      req.destroy();
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = (): void => {
      while (!answered && sent < total) {
        const piece =
          sent === 0 ? Buffer.from('{"a":"') : chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("a hostile caller with a function key", () => {
  let stack: LocalStack;
  let base: string;
  let fake: FakeMysqlServer;

  beforeAll(async () => {
    [stack, fake] = await Promise.all([startE2eStack(), startFakeMysqlServer()]);
    base = await stack.host.listen(0);
  });

  afterAll(async () => {
    await Promise.all([stack?.stop(), fake?.close()]);
  });

  /** A dry run of the example request with the source pointed elsewhere and the given changes. */
  async function dryRun(
    source: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const example = stack.exampleRequest();
    const { caCertificate: _ca, ...plainSource } = example.source;
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: { ...example, source: { ...plainSource, ...source }, dryRun: true },
    });
    return { status: response.status, body: response.json<Record<string, unknown>>() };
  }

  it("sends no stored secret to a server its binding does not name", async () => {
    const example = stack.exampleRequest();
    const vault = stack.emulators.keyVault;
    // Bound, but to another host name for the same address, and to another port: neither names the fake.
    process.env.REPLICATION_SECRET_ELSEWHERE = "bound-to-localhost";
    process.env[bindingSettingName("REPLICATION_SECRET_ELSEWHERE")] = JSON.stringify({
      role: "source-replication",
      destination: sourceDestination("localhost", fake.port, "evil"),
    });
    vault.setSecret("bound-to-real-source", "bound-to-the-real-source", {
      tags: stack.bindingTags("source-replication", "evil"),
    });
    process.env.REPLICATION_SECRET_UNBOUND = "no-binding-at-all";
    const references = [
      example.replica.adminPassword,
      example.source.inspectionPassword,
      example.source.replicationPassword,
      { appSetting: "REPLICATION_SECRET_ELSEWHERE" },
      { appSetting: "REPLICATION_SECRET_UNBOUND" },
      { appSetting: "REPLICATION_SECRET_DOES_NOT_EXIST" },
      { keyVaultSecret: `${vault.vaultUrl}/secrets/bound-to-real-source` },
      { keyVaultSecret: `${vault.vaultUrl}/secrets/does-not-exist` },
    ];
    const messages = new Set<string>();
    for (const reference of references) {
      for (const field of ["replicationPassword", "inspectionPassword"] as const) {
        const { status, body } = await dryRun({
          host: "127.0.0.1",
          port: fake.port,
          replicationUser: "evil",
          inspectionUser: "evil",
          replicationPassword: example.source.replicationPassword,
          inspectionPassword: example.source.inspectionPassword,
          [field]: reference,
        });
        expect(status).toBe(422);
        const error = body.error as { code: string; message: string; remedy: string };
        expect(error.code).toBe("SECRET_UNAVAILABLE");
        expect(error.message).toContain("source.");
        expect(error.remedy).toContain("replication-destination=mysql://evil@127.0.0.1:");
        // A missing secret and a secret bound elsewhere read the same, once the reference's own name is set aside.
        messages.add(
          error.message
            .replace(/(app setting|Key Vault secret) \S+/, "<reference>")
            .replace(/source\.\w+/g, "<field>"),
        );
      }
    }
    expect(messages.size).toBe(1);
    expect(fake.accepts).toBe(0);
    expect(fake.received).toEqual([]);

    // The fake is honest: a secret bound to it is released to it, and it reads the password.
    process.env.REPLICATION_SECRET_FOR_FAKE = "released-to-the-fake";
    process.env[bindingSettingName("REPLICATION_SECRET_FOR_FAKE")] = JSON.stringify({
      role: "source-replication",
      destination: sourceDestination("127.0.0.1", fake.port, "evil"),
    });
    const control = await dryRun({
      host: "127.0.0.1",
      port: fake.port,
      replicationUser: "evil",
      replicationPassword: { appSetting: "REPLICATION_SECRET_FOR_FAKE" },
      inspectionUser: undefined,
      inspectionPassword: undefined,
    });
    expect(control.status).toBe(200);
    expect(fake.accepts).toBeGreaterThan(0);
    expect(fake.received.map((entry) => entry.password)).toContain("released-to-the-fake");
  });

  it.each([
    "::ffff:127.0.0.1",
    "2130706433",
    "0x7f000001",
    "127.1",
    "0.0.0.0",
    "169.254.169.254",
    "168.63.129.16",
  ])(
    "refuses source host %s without a connection attempt, even with private addresses allowed",
    async (host) => {
      const before = fake.accepts;
      // Bound to exactly this host, so that only the address check stands between the request and the fake.
      const name = `REPLICATION_SECRET_HOST_${before}_${host.replace(/\W/g, "_")}`;
      process.env[name] = "address-test-password";
      process.env[bindingSettingName(name)] = JSON.stringify({
        role: "source-replication",
        destination: `mysql://evil@${host.includes(":") ? `[${host}]` : host}:${fake.port}`,
      });
      const { status, body } = await dryRun({
        host,
        port: fake.port,
        replicationUser: "evil",
        replicationPassword: { appSetting: name },
        inspectionUser: undefined,
        inspectionPassword: undefined,
      });
      expect([200, 400, 422]).toContain(status);
      if (status === 200) {
        const checks = body.checks as { code: string; status: string }[];
        expect(checks.find((item) => item.code === "SOURCE_ADDRESS")?.status).toBe("fail");
        expect(body.wouldSucceed).toBe(false);
      }
      expect(fake.accepts).toBe(before);
    },
  );

  it.each([
    ["with Content-Length", true],
    ["chunked, no Content-Length", false],
  ])("refuses a 100 MB body %s with 413 while memory stays bounded", async (_label, declareLength) => {
    global.gc?.();
    const before = process.memoryUsage();
    const result = await postStreaming(`${base}/api/replications`, HUNDRED_MB, { declareLength });
    const after = process.memoryUsage();
    expect(result.status).toBe(413);
    // Stopped long before the end: the body was neither buffered nor drained.
    expect(result.sent).toBeLessThan(HUNDRED_MB / 4);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
  });

  it("answers 415 to a JSON text sent as text/plain, and to a body with no content type", async () => {
    const body = JSON.stringify({ ...stack.exampleRequest(), dryRun: true });
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/json; charset=latin1",
    ]) {
      const response = await fetch(`${base}/api/replications`, {
        method: "POST",
        headers: { "content-type": contentType },
        body,
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: "UnsupportedMediaType" } });
    }
    const untyped = await fetch(`${base}/api/replications`, { method: "POST", body: new Blob([body]) });
    expect(untyped.status).toBe(415);
    const json = await fetch(`${base}/api/replications`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
    });
    expect(json.status).toBe(200);
  });

  it("answers 401 on the durable webhook routes without the system key, as Azure does", async () => {
    const webhook = `${base}/runtime/webhooks/durabletask`;
    const attempts: [string, RequestInit][] = [
      [
        `${webhook}/orchestrators/provisionOrchestrator/rpl-00000000000000000001`,
        { method: "POST", body: "{}" },
      ],
      [`${webhook}/instances`, { method: "GET" }],
      [`${webhook}/instances/rpl-00000000000000000001?code=wrong`, { method: "GET" }],
      [
        `${webhook}/instances/x/terminate?reason=r`,
        { method: "POST", headers: { "x-functions-key": "local" } },
      ],
    ];
    for (const [url, init] of attempts) {
      expect((await fetch(url, init)).status).toBe(401);
    }
    expect(stack.host.instances()).toHaveLength(0);
    const keyed = await fetch(`${webhook}/instances?code=${encodeURIComponent(stack.host.systemKey)}`);
    expect(keyed.status).toBe(200);
  });
});
