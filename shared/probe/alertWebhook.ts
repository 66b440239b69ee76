// Optional webhook for transitions: HMAC-signed JSON, retried with backoff in the background, never awaited by the probe.
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type SecretReference } from "../request/secretReference";
import { alertWebhookPurpose } from "../secrets/secretBinding";
import { type SecretResolver } from "../secrets/secretResolver";
import { transitionProperties } from "./probeTelemetry";
import { type ProbeTransition } from "./probeStore";

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the ALERT_WEBHOOK_SECRET value. */
const SIGNATURE_HEADER = "x-replication-signature";
const WEBHOOK_ATTEMPTS = 5;
const WEBHOOK_FIRST_RETRY_MS = 1_000;
const WEBHOOK_TIMEOUT_MS = 10_000;

function signBody(body: string, key: string): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

export interface AlertWebhook {
  /** Queues one delivery and returns at once. */
  send(transition: ProbeTransition): void;
  /** Resolves when every queued delivery has succeeded or given up (tests, the sandbox, the end of a batch). */
  settled(): Promise<void>;
}

export interface AlertWebhookOptions {
  url: string;
  secret: SecretReference;
  secrets: SecretResolver;
  log: (line: string) => void;
  firstRetryMs?: number;
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function createAlertWebhook(options: AlertWebhookOptions): AlertWebhook {
  const inFlight = new Set<Promise<void>>();
  let key: Promise<string> | undefined;
  const signingKey = (): Promise<string> => {
    key ??= options.secrets
      .resolve(options.secret, alertWebhookPurpose(options.url))
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };

  async function deliver(transition: ProbeTransition): Promise<void> {
    const body = JSON.stringify({ event: "ReplicationLinkTransition", ...transitionProperties(transition) });
    let delayMs = options.firstRetryMs ?? WEBHOOK_FIRST_RETRY_MS;
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt += 1) {
      let outcome: string;
      try {
        const response = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signBody(body, await signingKey()),
          },
          body,
          redirect: "error",
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        outcome = `answered ${response.status}`;
        if (!isRetryable(response.status)) {
          options.log(`alert webhook: ${transition.id} ${outcome}; not retried`);
          return;
        }
      } catch (error) {
        // The message names the setting and the reference at most, never the key (SecretResolutionError's rule).
        outcome = (error as Error).message;
        if ((error as { name?: string }).name === "SecretResolutionError") {
          options.log(`alert webhook: ${outcome}`);
          return;
        }
      }
      if (attempt === WEBHOOK_ATTEMPTS) {
        options.log(`alert webhook: ${transition.id} gave up after ${attempt} attempts (${outcome})`);
        return;
      }
      await sleep(delayMs);
      delayMs *= 2;
    }
  }

  return {
    send(transition) {
      const delivery = deliver(transition).catch((error: unknown) =>
        options.log(`alert webhook: ${(error as Error).message}`),
      );
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
