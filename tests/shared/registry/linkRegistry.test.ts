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
import { createReleaseLinkActivity } from "../../../shared/workflow/activities/linkClaimActivities";
import { type WorkflowDependencies } from "../../../shared/workflow/dependencies";
import { linkRecord as fixtureRecord } from "../workflow/linkRecordFixture";

jest.setTimeout(60_000);

const ID = "rpl-0123456789abcdef0123";

/** The workflow tests' record, as this suite's rows were: its id, no firewall rule, its own coordinates and dates. */
function linkRecord(overrides: Partial<LinkRecord> = {}): LinkRecord {
  const base = fixtureRecord();
  return fixtureRecord({
    id: ID,
    replica: { ...base.replica, subscriptionId: "11111111-2222-3333-4444-555555555555" },
    firewallRuleName: null,
    firewallRuleCreatedByApp: false,
    binlogFile: "mysql-bin.000001",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  });
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

  it("writes a record as the same flat row as before, and reads it back as the record", async () => {
    const client = table();
    const registry = createLinkRegistry(client);
    const record = linkRecord({
      source: {
        host: "db.example.com",
        port: 3307,
        replicationUser: "repl",
        replicationPassword: { keyVaultSecret: "https://vault.vault.azure.net/secrets/repl" },
        caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        inspectionUser: "inspector",
        inspectionPassword: { appSetting: "REPLICATION_SECRET_INSPECT" },
      },
      replica: {
        kind: "flexible",
        subscriptionId: "11111111-2222-3333-4444-555555555555",
        resourceGroup: "rg",
        serverName: "replica",
        adminUser: "admin",
        adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
        outboundAddress: "20.61.12.34",
      },
      heartbeat: {
        writerUser: "beat",
        writerPassword: { appSetting: "REPLICATION_SECRET_BEAT" },
        database: "hb",
      },
    });

    await registry.upsert(record);

    const row = await client.getEntity<Record<string, unknown>>("link", ID);
    expect(row).toMatchObject({
      kind: "flexible",
      subscriptionId: "11111111-2222-3333-4444-555555555555",
      resourceGroup: "rg",
      serverName: "replica",
      adminUser: "admin",
      adminPassword: JSON.stringify({ appSetting: "REPLICATION_SECRET_ADMIN" }),
      outboundAddress: "20.61.12.34",
      sourceHost: "db.example.com",
      sourcePort: 3307,
      replicationUser: "repl",
      replicationPassword: JSON.stringify({ keyVaultSecret: "https://vault.vault.azure.net/secrets/repl" }),
      caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
      inspectionUser: "inspector",
      inspectionPassword: JSON.stringify({ appSetting: "REPLICATION_SECRET_INSPECT" }),
      heartbeat: JSON.stringify(record.heartbeat),
    });
    expect(Object.keys(row)).not.toContain("source");
    expect(Object.keys(row)).not.toContain("replica");
    expect(await registry.get(ID)).toEqual(record);
  });

  it("reads a row written in the flat format of earlier versions into the record", async () => {
    const client = table();
    await client.createTable();
    // A row as the version before the record embedded source and replica wrote it; nulls were never written.
    await client.createEntity({
      partitionKey: "link",
      rowKey: ID,
      state: "replicating",
      kind: "single",
      subscriptionId: "11111111-2222-3333-4444-555555555555",
      resourceGroup: "rg",
      serverName: "replica",
      replicaFqdn: "replica.mysql.database.azure.com",
      adminUser: "admin",
      adminPassword: JSON.stringify({ appSetting: "REPLICATION_SECRET_ADMIN" }),
      sourceHost: "db.example.com",
      sourcePort: 3306,
      sourceIpv4: "203.0.113.7",
      replicationUser: "repl",
      replicationPassword: JSON.stringify({ appSetting: "REPLICATION_SECRET_REPL" }),
      firewallRuleCreatedByApp: false,
      binlogFile: "mysql-bin.000001",
      binlogPosition: 4,
      linking: "binlogPosition",
      skipPolicy: "[]",
      skipCounts: "{}",
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });

    expect(await createLinkRegistry(client).get(ID)).toEqual(linkRecord());
  });

  it("a rotation's release writes its new password reference into the link's source, and drops a CA it clears", async () => {
    const registry = createLinkRegistry(table());
    const withCa = linkRecord().source;
    await registry.upsert(linkRecord({ state: "rotating", source: { ...withCa, caCertificate: "old CA" } }));
    const release = createReleaseLinkActivity(() => ({ registry }) as unknown as WorkflowDependencies);

    await release(
      {
        id: ID,
        heldAs: "rotating",
        at: "2026-01-01T02:00:00.000Z",
        state: "replicating",
        lastError: null,
        changes: {
          source: { replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" }, caCertificate: null },
        },
      },
      new InvocationContext(),
    );

    expect(await registry.get(ID)).toMatchObject({
      state: "replicating",
      source: { ...withCa, replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" } },
    });
    expect((await registry.get(ID))?.source.caCertificate).toBeUndefined();
  });

  it("an update of a link that is not registered writes nothing", async () => {
    const plain = createLinkRegistry(table());
    expect(await plain.update(ID, (current) => current)).toBeNull();
    expect(await plain.get(ID)).toBeNull();
  });
});
