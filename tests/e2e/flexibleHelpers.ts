// Helpers shared by the Flexible Server end-to-end tests: typed views, provisioning, re-validation, teardown, replication probes.
import { type LocalStack } from "../../dev/stack/localStack";
import { provisionAndWait } from "./e2eStack";

export interface Check {
  code: string;
  status: string;
  message: string;
  remedy: string;
}

export interface View {
  id: string;
  state: string;
  rolledBack: boolean | null;
  checks: Check[];
  error: { code: string; message: string; remedy: string } | null;
  changes: string[];
  coordinates: { file: string; position: number } | null;
  firewallRule: unknown;
  linking: { method: string; chosenBy: string | null } | null;
  gtidPosition: string | null;
  sourceFirewall: { replicaOutboundAddress: string | null; instruction: string } | null;
  health: {
    state: string;
    ioThread: string;
    sqlThread: string;
    drift: { code: string; message: string; remedy: string }[];
  } | null;
}

export async function until(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function provision(stack: LocalStack, body: unknown): Promise<View> {
  const { view } = await provisionAndWait(stack, body);
  return view as unknown as View;
}

export async function getView(stack: LocalStack, id: string): Promise<View> {
  return (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<View>();
}

export async function revalidate(stack: LocalStack, id: string): Promise<View> {
  const response = await stack.host.invokeHttp({
    method: "POST",
    path: `/api/replications/${id}/revalidate`,
  });
  expect(response.status).toBe(202);
  await stack.host.waitForInstance(`${id}-revalidation`, { timeoutMs: 120_000 });
  return getView(stack, id);
}

export async function tearDown(stack: LocalStack, id: string): Promise<View> {
  const response = await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` });
  expect(response.status).toBe(202);
  await stack.host.waitForInstance(`${id}-teardown`, { timeoutMs: 120_000 });
  return getView(stack, id);
}

export async function replicaLink(stack: LocalStack): Promise<Record<string, unknown> | undefined> {
  const [row] = await stack.replica.rootQuery("SHOW REPLICA STATUS");
  return row;
}

export async function expectRowsReplicate(stack: LocalStack, id: number): Promise<void> {
  await stack.source.rootQuery("INSERT INTO shop.orders (id, customer, amount) VALUES (?, 'flex', 1.00)", [
    id,
  ]);
  await until(
    async () => (await stack.replica.rootQuery("SELECT 1 FROM shop.orders WHERE id = ?", [id])).length === 1,
    `order ${id} on the replica`,
  );
}

export function checkOf(view: View, code: string): Check | undefined {
  return view.checks.find((item) => item.code === code);
}
