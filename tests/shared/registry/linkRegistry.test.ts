// The link registry against Azurite: optimistic concurrency between a re-validation and a teardown writing one row.
import { TableClient } from "@azure/data-tables";
import { InvocationContext } from "@azure/functions";
import { startAzurite, type RunningAzurite } from "../../../dev/emulators/startEmulators";
import {
  createLinkRegistry,
  type LinkRecord,
  type LinkRegistry,
} from "../../../shared/registry/linkRegistry";
import { recordHealthSummary } from "../../../shared/health/revalidateLink";
import { createSetLinkStateActivity } from "../../../shared/workflow/activities/linkMaintenanceActivities";
import { type WorkflowDependencies } from "../../../shared/workflow/dependencies";

jest.setTimeout(60_000);

const ID = "rpl-0123456789abcdef0123";

function linkRecord(overrides: Partial<LinkRecord> = {}): LinkRecord {
  return {
    id: ID,
    state: "replicating",
    kind: "single",
    subscriptionId: "11111111-2222-3333-4444-555555555555",
    resourceGroup: "rg",
    serverName: "replica",
    replicaFqdn: "replica.mysql.database.azure.com",
    adminUser: "admin",
    adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
    sourceHost: "db.example.com",
    sourcePort: 3306,
    sourceIpv4: "203.0.113.7",
    replicationUser: "repl",
    replicationPassword: { appSetting: "REPLICATION_SECRET_REPL" },
    caCertificate: null,
    inspectionUser: null,
    inspectionPassword: null,
    firewallRuleName: null,
    firewallRuleCreatedByApp: false,
    binlogFile: "mysql-bin.000001",
    binlogPosition: 4,
    linking: "binlogPosition",
    outboundAddress: null,
    rolledBack: null,
    lastError: null,
    skipPolicy: [],
    skipCounts: {},
    heartbeat: null,
    tableFilters: null,
    lastHealth: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

const HEALTH = {
  state: "healthy" as const,
  checkedAt: "2026-01-01T01:00:00.000Z",
  secondsBehindSource: 0,
  drift: [],
};

/** A TableClient whose next getEntity lets `meanwhile` write before the caller sees the (now stale) row. */
function interleaved(client: TableClient, meanwhile: () => Promise<unknown>): TableClient {
  let pending: (() => Promise<unknown>) | undefined = meanwhile;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "getEntity") {
        return async (...args: Parameters<TableClient["getEntity"]>) => {
          const entity = await target.getEntity(...args);
          const write = pending;
          pending = undefined;
          if (write) await write();
          return entity;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe("link registry (Azurite)", () => {
  let azurite: RunningAzurite;
  let tableCount = 0;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(() => azurite?.stop());

  function table(): TableClient {
    tableCount += 1;
    return TableClient.fromConnectionString(azurite.connectionString, `Links${tableCount}`, {
      allowInsecureConnection: true,
    });
  }

  function teardownActivity(registry: LinkRegistry) {
    const activity = createSetLinkStateActivity(() => ({ registry }) as unknown as WorkflowDependencies);
    return (input: Parameters<typeof activity>[0]) => activity(input, new InvocationContext());
  }

  it("a re-validation never writes replicating over a teardown's removed that landed after its read", async () => {
    const client = table();
    const plain = createLinkRegistry(client);
    await plain.upsert(linkRecord());
    const setLinkState = teardownActivity(plain);
    const revalidation = createLinkRegistry(
      interleaved(client, () =>
        setLinkState({ id: ID, state: "removed", at: HEALTH.checkedAt, lastError: null }),
      ),
    );

    const written = await recordHealthSummary(revalidation, ID, "203.0.113.9", HEALTH);

    expect(written).toBe(false);
    expect(await plain.get(ID)).toMatchObject({
      state: "removed",
      lastHealth: null,
      sourceIpv4: "203.0.113.7",
    });
  });

  it("a teardown's removed wins when a re-validation wrote between the teardown's read and write", async () => {
    const client = table();
    const plain = createLinkRegistry(client);
    await plain.upsert(linkRecord());
    const setLinkState = teardownActivity(
      createLinkRegistry(interleaved(client, () => recordHealthSummary(plain, ID, "203.0.113.9", HEALTH))),
    );

    await setLinkState({ id: ID, state: "removed", at: "2026-01-01T02:00:00.000Z", lastError: null });

    // The teardown re-applied its change to the row as the re-validation left it: removed, health kept.
    expect(await plain.get(ID)).toMatchObject({
      state: "removed",
      sourceIpv4: "203.0.113.9",
      lastHealth: { state: "healthy" },
      updatedAt: "2026-01-01T02:00:00.000Z",
    });
  });

  it("an update of a link that is not registered writes nothing", async () => {
    const plain = createLinkRegistry(table());
    expect(await plain.update(ID, (current) => current)).toBeNull();
    expect(await plain.get(ID)).toBeNull();
  });
});
