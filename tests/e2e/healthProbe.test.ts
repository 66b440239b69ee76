// The health probe on real MySQL, seen through the dashboard in headless Chromium: healthy, broken by a duplicate key (1062), recovered; the signed webhook delivery; no secret anywhere.
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { chromium, type Browser, type Page } from "playwright-core";
import { startHttpsServer, type RunningHttpsServer } from "../../dev/emulators/httpsServer";
import { ManualClock } from "../../dev/host/manualClock";
import { startLocalStack, type LocalStack } from "../../dev/stack/localStack";
import { currentTestCa } from "../../dev/tls/testCa";
import { bindingSettingName } from "../../shared/secrets/secretBinding";
import { SCHEDULED_PROBE_INSTANCE, type ProbeOutput } from "../../shared/workflow/probeOrchestrator";
import { APP_FUNCTION_MODULES, everythingRecorded, expectNoSecrets, provisionAndWait } from "./e2eStack";

jest.setTimeout(300_000);

const SCREENSHOTS = join(__dirname, "..", "..", ".artifacts", "dashboard");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const WEBHOOK_KEY = "webhook-hmac-key-'\"\\;--#";

interface Delivery {
  body: string;
  signature: string;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("health probe and dashboard", () => {
  let stack: LocalStack;
  let receiver: RunningHttpsServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let id: string;
  const deliveries: Delivery[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    const ca = await currentTestCa();
    const tls = await ca.issue({ name: "webhook", commonName: "localhost", ipAddresses: ["127.0.0.1"] });
    receiver = await startHttpsServer(tls, async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      deliveries.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: String(req.headers["x-replication-signature"] ?? ""),
      });
      res.writeHead(204).end();
    });
    const webhookUrl = `${receiver.origin}/hooks/replication`;
    stack = await startLocalStack({
      ca,
      functionModules: APP_FUNCTION_MODULES,
      clock: new ManualClock({ startMs: Date.now(), autoAdvance: true }),
      appSettings: {
        HEALTH_PROBE_SAMPLE_INTERVAL_SECONDS: "1",
        HEALTH_PROBE_BATCH_SIZE: "10",
        ALERT_WEBHOOK_URL: webhookUrl,
        ALERT_WEBHOOK_SECRET: JSON.stringify({ appSetting: "REPLICATION_SECRET_ALERT_WEBHOOK" }),
        REPLICATION_SECRET_ALERT_WEBHOOK: WEBHOOK_KEY,
        [bindingSettingName("REPLICATION_SECRET_ALERT_WEBHOOK")]: JSON.stringify({
          role: "alert-webhook",
          destination: webhookUrl,
        }),
      },
    });
    stack.secrets.webhookKey = WEBHOOK_KEY;
    const { view } = await provisionAndWait(stack, stack.exampleRequest());
    expect(view.state).toBe("replicating");
    id = String(view.id);
    base = await stack.host.listen(0);
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on("response", (response) => {
      void response.text().then(
        (text) => seen.push(text),
        () => undefined,
      );
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (stack) {
      const probeTable = TableClient.fromConnectionString(
        stack.azurite.connectionString,
        "ReplicationProbe",
        {
          allowInsecureConnection: true,
        },
      );
      const rows: string[] = [];
      for await (const entity of probeTable.listEntities()) rows.push(JSON.stringify(entity));
      expectNoSecrets(
        [await everythingRecorded(stack), ...rows, ...seen, ...deliveries.map((d) => d.body)].join("\n"),
        stack.secrets,
      );
    }
    await stack?.stop();
    await receiver?.close();
  });

  async function probePass(): Promise<ProbeOutput> {
    await stack.host.fireTimer("healthProbeTimer");
    const final = await stack.host.waitForInstance(SCHEDULED_PROBE_INSTANCE, { timeoutMs: 60_000 });
    expect(final.runtimeStatus).toBe("Completed");
    return final.output as ProbeOutput;
  }

  async function openDashboard(): Promise<void> {
    await page.goto(`${base}/api/dashboard?code=local-key`);
    await page.waitForSelector(`tr[data-link="${id}"]`);
  }

  async function stateShown(): Promise<string> {
    return (await page.locator(`tr[data-link="${id}"] .state`).first().textContent()) ?? "";
  }

  it("probes a healthy link in one round trip and shows it healthy", async () => {
    const output = await probePass();
    expect(output).toMatchObject({ links: 1, probed: 1, roundTrips: 1, states: { healthy: 1 } });
    // The first sight of a link is its first transition.
    expect(output.transitions).toEqual([{ id, from: null, to: "healthy", errno: null }]);
    const quiet = await probePass();
    expect(quiet).toMatchObject({ probed: 1, transitionCount: 0, writes: 0 });

    await openDashboard();
    expect((await stateShown()).toLowerCase()).toBe("healthy");
    await page.screenshot({ path: join(SCREENSHOTS, "1-healthy.png"), fullPage: true });
  });

  it("turns broken with the duplicate-key error, its diagnosis and remedy, and signs the webhook delivery", async () => {
    await stack.replica.rootQuery(
      "INSERT INTO shop.orders (id, customer, amount) VALUES (100, 'drift', 1.00)",
    );
    await stack.source.rootQuery("INSERT INTO shop.orders (id, customer, amount) VALUES (100, 'real', 2.00)");
    await until(async () => {
      const [row] = await stack.replica.rootQuery<{ Replica_SQL_Running: string }>("SHOW REPLICA STATUS");
      return row?.Replica_SQL_Running === "No";
    }, "the SQL thread to stop on the duplicate key");

    const output = await probePass();
    expect(output.transitions).toEqual([{ id, from: "healthy", to: "broken", errno: 1062 }]);

    await openDashboard();
    expect((await stateShown()).toLowerCase()).toBe("broken");
    const errorCell = (await page.locator(`tr[data-link="${id}"] td.error`).textContent()) ?? "";
    expect(errorCell).toContain("SQL thread, error 1062");
    expect(errorCell).toMatch(/duplicate key/i);
    expect(errorCell).toMatch(/never skip silently/);
    await page.screenshot({ path: join(SCREENSHOTS, "2-broken.png"), fullPage: true });

    await until(
      () => Promise.resolve(deliveries.some((d) => d.body.includes('"state":"broken"'))),
      "the webhook delivery",
    );
    const delivery = deliveries.find((d) => d.body.includes('"state":"broken"'))!;
    const expected = `sha256=${createHmac("sha256", WEBHOOK_KEY).update(delivery.body).digest("hex")}`;
    expect(delivery.signature).toBe(expected);
    expect(JSON.parse(delivery.body)).toMatchObject({
      event: "ReplicationLinkTransition",
      linkId: id,
      replica: stack.serverName,
      state: "broken",
      previousState: "healthy",
      thread: "sql",
      errno: "1062",
    });
    // The structured event is in the log, as App Insights' traces would hold it.
    expect(stack.host.logs.some((log) => log.message.startsWith("ReplicationLinkTransition {"))).toBe(true);
  });

  it("shows the link healthy again after the fix and restart, with its history one keypress away", async () => {
    await stack.replica.rootQuery("DELETE FROM shop.orders WHERE id = 100");
    await stack.replica.rootQuery("CALL mysql.az_replication_start()");
    await until(async () => {
      const [row] = await stack.replica.rootQuery<{ customer: string }>(
        "SELECT customer FROM shop.orders WHERE id = 100",
      );
      return row?.customer === "real";
    }, "the source's row to be applied");

    const output = await probePass();
    expect(output.transitions).toEqual([{ id, from: "broken", to: "healthy", errno: null }]);

    await openDashboard();
    expect((await stateShown()).toLowerCase()).toBe("healthy");
    // Keyboard: Tab to the link and open it with Enter.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await expect(
      page.evaluate<string>('document.activeElement ? document.activeElement.textContent : ""'),
    ).resolves.toBe(id);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#detail-heading");
    expect(await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""')).toBe(
      "detail-heading",
    );
    const detail = (await page.locator("#detail").textContent()) ?? "";
    expect(detail).toContain("from broken");
    expect(detail).toContain("from healthy");
    expect(detail).toMatch(/error 1062/);
    await page.screenshot({ path: join(SCREENSHOTS, "3-link-history.png"), fullPage: true });

    const html = await (await fetch(`${base}/api/dashboard`)).text();
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
