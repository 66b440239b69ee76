// A hostile caller with a function key (issue 11): oversized and non-JSON bodies, keyless durable webhook calls.
import { request as httpRequest } from "node:http";
import { type LocalStack } from "../../dev/stack/localStack";
import { startE2eStack } from "../e2e/e2eStack";

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

  beforeAll(async () => {
    stack = await startE2eStack();
    base = await stack.host.listen(0);
  });

  afterAll(async () => {
    await stack?.stop();
  });

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
