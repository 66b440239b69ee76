// Provisions the local stack's example link through the app's HTTP API and waits for the orchestration to end.
import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { type LocalStack } from "../dev/stack/localStack";
import { firewallRuleNameFor } from "../shared/domain/firewall";

export interface Provisioned {
  id: string;
  /** POST to the orchestration's completion, with state replicating. */
  ms: number;
}

export async function provisionThroughApi(
  stack: LocalStack,
  body: unknown = stack.exampleRequest(),
): Promise<Provisioned> {
  const started = performance.now();
  const post = await stack.host.invokeHttp({ method: "POST", path: "/api/replications", body });
  if (post.status !== 202)
    throw new Error(`POST /api/replications answered ${post.status}: ${post.body.slice(0, 500)}`);
  const id = post.json<{ id: string }>().id;
  await stack.host.waitForInstance(id, { timeoutMs: 120_000 });
  const ms = performance.now() - started;
  const view = (await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` })).json<{
    state: string;
    error: unknown;
  }>();
  if (view.state !== "replicating")
    throw new Error(`provisioning ended ${view.state}: ${JSON.stringify(view.error)}`);
  return { id, ms };
}

export function registryTable(stack: LocalStack, table = "ReplicationLinks"): TableClient {
  return TableClient.fromConnectionString(stack.azurite.connectionString, table, {
    allowInsecureConnection: true,
  });
}

/**
 * Registry clones of the one real link `id`, for a pass over many links: same replica process, source and firewall
 * rule, so each is a healthy link to check; what differs per clone is its id, its registry row and its history. The
 * returned function registers clones until `size` links are registered (the real one included).
 */
export async function linkClones(stack: LocalStack, id: string): Promise<(size: number) => Promise<void>> {
  const registry = registryTable(stack);
  const original = await registry.getEntity<Record<string, unknown>>("link", id);
  const entity: Record<string, unknown> = { ...original };
  for (const key of Object.keys(entity))
    if (key === "etag" || key === "timestamp" || key.startsWith("odata")) delete entity[key];
  let registered = 1;
  return async (size) => {
    for (; registered < size; registered++) {
      await registry.upsertEntity(
        { ...entity, partitionKey: "link", rowKey: `rpl-${randomBytes(10).toString("hex")}` },
        "Replace",
      );
    }
  };
}

/**
 * Puts the stack back as it was before provisioning: the replica unlinked (as root, like az_replication_remove_master
 * after a stop), the firewall rule deleted, the registry row gone (else a new POST answers 200 "already linked").
 */
export async function resetLink(stack: LocalStack, id: string, registry: TableClient | null): Promise<void> {
  await stack.replica.rootQuery("STOP REPLICA");
  await stack.replica.rootQuery("RESET REPLICA ALL");
  stack.emulators.arm.server(stack.serverName)?.deleteFirewallRule(firewallRuleNameFor(id));
  if (registry) {
    await registry.deleteEntity("link", id).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    });
  }
}
