// The sandbox's stand-in for a team's alert endpoint: an HTTPS receiver that checks each delivery's HMAC signature and prints it.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { startHttpsServer } from "../emulators/httpsServer";
import { type TestCa } from "../tls/testCa";
import { bindingSettingName } from "../../shared/secrets/secretBinding";

export interface WebhookReceiver {
  url: string;
  /** ALERT_WEBHOOK_URL, ALERT_WEBHOOK_SECRET and the bound app setting holding the HMAC key. */
  appSettings: Record<string, string>;
  deliveries: { body: string; signatureValid: boolean }[];
  close(): Promise<void>;
}

const KEY_SETTING = "REPLICATION_SECRET_ALERT_WEBHOOK";

export async function startWebhookReceiver(
  ca: TestCa,
  print: (line: string) => void,
): Promise<WebhookReceiver> {
  const key = randomBytes(24).toString("base64url");
  const tls = await ca.issue({
    name: "webhook-receiver",
    commonName: "localhost",
    ipAddresses: ["127.0.0.1"],
  });
  const deliveries: WebhookReceiver["deliveries"] = [];
  const server = await startHttpsServer(tls, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const expected = Buffer.from(`sha256=${createHmac("sha256", key).update(body).digest("hex")}`);
    const given = Buffer.from(String(req.headers["x-replication-signature"] ?? ""));
    const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
    deliveries.push({ body, signatureValid });
    const event = JSON.parse(body) as Record<string, string>;
    print(
      `webhook: ${event.linkId} ${event.previousState} -> ${event.state}${event.errno ? ` (error ${event.errno})` : ""}, signature ${signatureValid ? "valid" : "INVALID"}`,
    );
    res.writeHead(signatureValid ? 204 : 401).end();
  });
  const url = `${server.origin}/alerts`;
  return {
    url,
    deliveries,
    appSettings: {
      ALERT_WEBHOOK_URL: url,
      ALERT_WEBHOOK_SECRET: JSON.stringify({ appSetting: KEY_SETTING }),
      [KEY_SETTING]: key,
      [bindingSettingName(KEY_SETTING)]: JSON.stringify({ role: "alert-webhook", destination: url }),
    },
    close: () => server.close(),
  };
}
