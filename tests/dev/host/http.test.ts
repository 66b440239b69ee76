// HTTP side of the local host: app routes, the durable client bound into HTTP triggers, timers, and a real socket.
import { join } from "node:path";
import { LocalHost } from "../../../dev/host/localHost";
import { ManualClock } from "../../../dev/host/manualClock";

const sampleApp = join(__dirname, "fixtures", "sampleApp.ts");

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
}

describe("LocalHost HTTP", () => {
  let host: LocalHost;

  beforeEach(async () => {
    host = await LocalHost.start({
      functionModules: [sampleApp],
      // Not auto-advancing: the approval race below must still be waiting when the test looks at it.
      clock: new ManualClock(),
      appSettings: { LOCAL_HOST_TEST_SETTING: "set" },
    });
  });

  afterEach(async () => {
    await host.stop();
  });

  it("captures registrations with their trigger types and bindings", () => {
    const byName = new Map(host.registrations.map((r) => [r.name, r]));
    expect(byName.get("Chain")?.triggerType).toBe("orchestrationTrigger");
    expect(byName.get("Greet")?.triggerType).toBe("activityTrigger");
    expect(byName.get("StartChainEveryFiveMinutes")?.triggerType).toBe("timerTrigger");
    const start = byName.get("StartOrchestration");
    expect(start?.triggerType).toBe("httpTrigger");
    expect(
      Object.values(start?.bindings ?? {})
        .map((b) => b.type)
        .sort(),
    ).toEqual(["durableClient", "http", "httpTrigger"]);
    expect(process.env.LOCAL_HOST_TEST_SETTING).toBe("set");
  });

  it("starts, queries, signals and finishes an orchestration through the durable client of HTTP triggers", async () => {
    const started = await host.invokeHttp({
      method: "POST",
      path: "/api/orchestrators/ApprovalRace/order-7",
    });
    expect(started.status).toBe(202);
    const links = started.json<CheckStatus>();
    expect(links.id).toBe("order-7");
    expect(started.headers.location).toBe(links.statusQueryGetUri);
    expect(links.statusQueryGetUri).toMatch(/\/runtime\/webhooks\/durabletask\/instances\/order-7\?/);
    expect(
      host.logs.some((l) => l.functionName === "StartOrchestration" && l.message === "started order-7"),
    ).toBe(true);

    await host.idle();
    const running = await host.invokeHttp({ method: "GET", path: "/api/instances/order-7" });
    expect(running.json()).toMatchObject({ runtimeStatus: "Running", customStatus: { waiting: "Approval" } });

    const raised = await host.invokeHttp({
      method: "POST",
      path: "/api/instances/order-7/events/Approval",
      body: { by: "bob" },
    });
    expect(raised.status).toBe(202);
    const final = await host.waitForInstance("order-7", { timeoutMs: 5000 });
    expect(final.output).toEqual({ approved: { by: "bob" } });

    const missing = await host.invokeHttp({ method: "GET", path: "/api/instances/nope" });
    expect(missing.status).toBe(404);
    expect(missing.json<{ error: string }>().error).toContain("404");
  });

  it("terminates through an HTTP trigger", async () => {
    await host.invokeHttp({ method: "POST", path: "/api/orchestrators/WaitForTwoEvents/t-1" });
    await host.idle();
    const res = await host.invokeHttp({
      method: "POST",
      path: "/api/instances/t-1/terminate",
      query: { reason: "stop" },
    });
    expect(res.status).toBe(202);
    const status = await host.client.getStatus("t-1");
    expect(status.runtimeStatus).toBe("Terminated");
    expect(status.output).toBe("stop");
  });

  it("matches route templates with constraints, literal precedence, methods and the api prefix", async () => {
    const echo = await host.invokeHttp({ method: "PUT", path: "/api/echo/42?q=x", body: "hi" });
    expect(echo.status).toBe(200);
    expect(echo.headers["x-echo"]).toBe("yes");
    expect(echo.json()).toEqual({ id: "42", q: "x", method: "PUT", body: "hi" });
    expect((await host.invokeHttp({ method: "GET", path: "/api/echo/special" })).body).toBe("literal wins");
    expect((await host.invokeHttp({ method: "GET", path: "/api/echo/abc" })).status).toBe(404);
    expect((await host.invokeHttp({ method: "DELETE", path: "/api/echo/42" })).status).toBe(404);
    expect((await host.invokeHttp({ method: "GET", path: "/echo/42" })).status).toBe(404);
  });

  it("answers 500 and logs when a handler throws", async () => {
    const res = await host.invokeHttp({ method: "GET", path: "/api/throws" });
    expect(res.status).toBe(500);
    expect(host.logs.some((l) => l.level === "error" && l.message.includes("handler blew up"))).toBe(true);
  });

  it("fires a timer trigger whose durable client starts an orchestration", async () => {
    await host.fireTimer("StartChainEveryFiveMinutes");
    const status = await host.waitForInstance("from-timer", { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(host.logs.some((l) => l.message === "timer started from-timer")).toBe(true);
  });

  it("serves the app and the durable webhooks on a real socket", async () => {
    const base = await host.listen();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const started = await fetch(`${base}/api/orchestrators/FanOut/fan-1`, { method: "POST", body: "[2,3]" });
    expect(started.status).toBe(202);
    const links = (await started.json()) as CheckStatus;
    expect(links.statusQueryGetUri.startsWith(`${base}/runtime/webhooks/durabletask/instances/fan-1`)).toBe(
      true,
    );
    await host.waitForInstance("fan-1", { timeoutMs: 5000 });

    const viaWebhook = await fetch(links.statusQueryGetUri);
    expect(viaWebhook.status).toBe(200);
    expect(await viaWebhook.json()).toMatchObject({
      instanceId: "fan-1",
      runtimeStatus: "Completed",
      output: 13,
      input: [2, 3],
    });

    const viaApp = await fetch(`${base}/api/instances/fan-1`);
    expect(((await viaApp.json()) as { output: number }).output).toBe(13);

    const notFound = await fetch(`${base}/api/no/such/route`);
    expect(notFound.status).toBe(404);
  });
});
