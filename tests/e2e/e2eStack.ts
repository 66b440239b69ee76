// Starts the local stack for an end-to-end test file: the app's real function modules, an auto-advancing clock.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { currentTestCa } from "../../dev/tls/testCa";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../dev/stack/localStack";
import { ManualClock } from "../../dev/host/manualClock";

// Every function module the app ships, as `func start` loads dist/functions/*.js.
export const APP_FUNCTION_MODULES = readdirSync(join(__dirname, "..", "..", "functions"))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => join(__dirname, "..", "..", "functions", file));

export async function startE2eStack(
  options: Partial<Omit<LocalStackOptions, "ca" | "functionModules">> = {},
): Promise<LocalStack> {
  return startLocalStack({
    ca: await currentTestCa(),
    functionModules: APP_FUNCTION_MODULES,
    clock: new ManualClock({ startMs: Date.now(), autoAdvance: true }),
    ...options,
  });
}

export interface ProvisionOutcome {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs a provisioning through the HTTP API and waits for its orchestration to finish; returns the GET view. */
export async function provisionAndWait(
  stack: LocalStack,
  body: unknown,
): Promise<{ post: ProvisionOutcome; view: Record<string, unknown> }> {
  const response = await stack.host.invokeHttp({ method: "POST", path: "/api/replications", body });
  const post = { status: response.status, body: response.json<Record<string, unknown>>() };
  if (response.status !== 202) return { post, view: post.body };
  const id = String(post.body.id);
  await stack.host.waitForInstance(id, { timeoutMs: 120_000 });
  const view = await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` });
  return { post, view: view.json<Record<string, unknown>>() };
}

/** Every captured text of the run that a secret must never appear in: histories, statuses, logs, registry rows. */
export async function everythingRecorded(stack: LocalStack): Promise<string> {
  const parts: string[] = [];
  for (const instance of stack.host.instances()) {
    parts.push(JSON.stringify(instance));
    parts.push(JSON.stringify(stack.host.history(instance.instanceId)));
  }
  parts.push(JSON.stringify(stack.host.logs));
  for (const table of ["ReplicationLinks", "ReplicationHealth"]) {
    const client = TableClient.fromConnectionString(stack.azurite.connectionString, table, {
      allowInsecureConnection: true,
    });
    try {
      for await (const entity of client.listEntities()) parts.push(JSON.stringify(entity));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  return parts.join("\n");
}

export function expectNoSecrets(recorded: string, secrets: Record<string, string>): void {
  for (const [name, value] of Object.entries(secrets)) {
    // Recorded text is JSON (sometimes JSON inside JSON): look for the value as written and as escaped once and twice.
    const once = JSON.stringify(value).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const form of new Set([value, once, twice])) {
      if (recorded.includes(form)) throw new Error(`secret ${name} appears in recorded data`);
    }
  }
}
