// The replica managers' real ARM traffic, mapped to RBAC actions, is exactly REPLICA_ARM_ACTIONS (what the custom role grants).
import { type LroBehavior } from "../../../dev/emulators/emulatedServer";
import { REPLICA_ARM_ACTIONS } from "../../../shared/replica/armActions";
import { createFlexibleServerManager } from "../../../shared/replica/flexibleServerManager";
import { type ReplicaKind, type ReplicaManager } from "../../../shared/replica/replicaManager";
import { createSingleServerManager } from "../../../shared/replica/singleServerManager";
import { setUpEmulators, type EmulatorEnv } from "../../dev/emulators/emulatorEnv";

const SUB = "11111111-2222-3333-4444-555555555555";
const RG = "replication-rg";

const RESOURCE_PATH =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/(Microsoft\.DBforMySQL)\/(servers|flexibleServers)\/[^/]+(?:\/([A-Za-z]+)(?:\/[^/]+)?)?\/?$/i;
const OPERATION_PATH =
  /^\/subscriptions\/[^/]+\/providers\/(Microsoft\.DBforMySQL)\/locations\/[^/]+\/(azureAsyncOperation|operationResults)\/[^/]+\/?$/i;
const VERB: Record<string, string> = {
  GET: "read",
  PUT: "write",
  PATCH: "write",
  DELETE: "delete",
  POST: "action",
};

/** The RBAC action ARM checks for one request, as in the provider's operations list. */
function actionOf(method: string, path: string): string {
  const verb = VERB[method.toUpperCase()];
  const resource = RESOURCE_PATH.exec(path);
  if (verb && resource) {
    const [, provider, type, child] = resource;
    return [provider, type, child, verb].filter(Boolean).join("/");
  }
  const operation = OPERATION_PATH.exec(path);
  if (verb === "read" && operation) return `${operation[1]}/locations/${operation[2]}/read`;
  throw new Error(`no RBAC action known for ${method} ${path}: extend actionOf`);
}

describe("ARM actions the replica managers need", () => {
  let env: EmulatorEnv;

  beforeAll(async () => {
    env = await setUpEmulators();
    for (const [kind, name, version] of [
      ["single", "legacy-replica", "5.7"],
      ["flexible", "flex-replica", "8.0.21"],
    ] as const) {
      env.emulators.arm.addServer({
        kind,
        subscriptionId: SUB,
        resourceGroup: RG,
        name,
        tier: "GeneralPurpose",
        version,
        state: "Ready",
        publicNetworkAccess: "Enabled",
      });
    }
  });
  afterAll(() => env.restore());

  function manager(kind: ReplicaKind, serverName: string): ReplicaManager {
    const settings = { ARM_ENDPOINT: env.emulators.arm.endpoint, ARM_LRO_POLL_INTERVAL_MS: 10 };
    const target = { kind, subscriptionId: SUB, resourceGroup: RG, serverName };
    return kind === "single"
      ? createSingleServerManager(target, env.credential, settings)
      : createFlexibleServerManager(target, env.credential, settings);
  }

  it("every call of both managers, under every long-running-operation style, maps to exactly REPLICA_ARM_ACTIONS", async () => {
    const { arm } = env.emulators;
    const firstRequest = arm.requests.length;
    const lroStyles: LroBehavior[] = [
      { mode: "direct" },
      { mode: "async", inProgressPolls: 1 },
      { mode: "location", inProgressPolls: 1 },
    ];
    for (const [kind, name] of [
      ["single", "legacy-replica"],
      ["flexible", "flex-replica"],
    ] as const) {
      const server = arm.server(name, { kind });
      for (const lro of lroStyles) {
        server.lro = lro;
        const replica = manager(kind, name);
        expect(await replica.getServer()).toMatchObject({ kind, name });
        expect(await manager(kind, "no-such-server").getServer()).toBeNull();
        expect(await replica.getFirewallRule("replication-source")).toBeNull();
        await replica.putFirewallRule("replication-source", "203.0.113.7");
        expect(await replica.getFirewallRule("replication-source")).toMatchObject({
          startIpAddress: "203.0.113.7",
        });
        await replica.deleteFirewallRule("replication-source");
        await replica.deleteFirewallRule("replication-source");
        expect(await replica.getFirewallRule("replication-source")).toBeNull();
        expect(await replica.getServerParameter("replicate_wild_ignore_table")).toMatchObject({ value: "" });
        expect(await replica.getServerParameter("no_such_parameter")).toBeNull();
        await replica.setServerParameter("replicate_wild_ignore_table", "shop.audit_%");
        expect(await replica.getServerParameter("replicate_wild_ignore_table")).toMatchObject({
          value: "shop.audit_%",
        });
        await replica.setServerParameter("replicate_wild_ignore_table", "");
        if (kind === "flexible") {
          server.setParameter("gtid_mode", "ON");
          await replica.resetGtid!("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
        } else {
          expect("resetGtid" in replica).toBe(false);
        }
      }
    }

    const used = new Set(arm.requests.slice(firstRequest).map((r) => actionOf(r.method, r.path)));
    expect([...used].sort()).toEqual([...REPLICA_ARM_ACTIONS].sort());
  });
});
