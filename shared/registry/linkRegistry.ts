// The registry of replication links in Table storage: one row per link, secret references only, never values.
import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { type AppConfig } from "../config/appConfig";
import { type SecretReference } from "../request/secretReference";
import { type ReplicaKind } from "../replica/replicaManager";
import { type ReplicaSpec, type SourceSpec } from "../request/provisionRequest";
import { type LinkingMethod } from "../domain/linkingChoice";
import { type TableFilterState } from "../request/tableFilters";

/**
 * `rotating` and `cuttingOver` are held by a running rotation or cutover: each claims the link by moving it out of
 * `replicating` under the row's ETag, so two operations can never both hold it. `cutOver`: the replica was promoted.
 */
export type LinkState =
  "provisioning" | "replicating" | "failed" | "removed" | "rotating" | "cuttingOver" | "cutOver";

/**
 * The replica as a link keeps it: the request's `replica` part without `resetGtid`, a one-time action of the
 * provisioning run that no later operation must repeat (and that the row never stored).
 */
type LinkReplica = Omit<ReplicaSpec, "resetGtid">;

export interface LinkRecord {
  id: string;
  state: LinkState;
  /** The request's source part, secret references only. */
  source: SourceSpec;
  /** The request's replica part (kind, server, admin login, Flexible outbound address), secret references only. */
  replica: LinkReplica;
  replicaFqdn: string;
  sourceIpv4: string | null;
  firewallRuleName: string | null;
  firewallRuleCreatedByApp: boolean;
  binlogFile: string | null;
  binlogPosition: number | null;
  /** Rows from before GTID linking read as binlogPosition. */
  linking: LinkingMethod;
  rolledBack: boolean | null;
  lastError: string | null;
  skipPolicy: SkipRule[];
  /** How many events of each error number re-validation has skipped so far. */
  skipCounts: Record<string, number>;
  heartbeat: HeartbeatSettings | null;
  /** Table filters this link set on the replica, and the parameter's value before; null without filters. */
  tableFilters: TableFilterState | null;
  lastHealth: HealthSummary | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The row's shape: the source and replica parts spread into top-level properties, named as they were before the
 * record embedded them, so rows written by any version read back in any other. Also the shape of a record in
 * orchestration histories recorded before the record embedded them.
 */
export interface FlatLinkRecord extends Omit<LinkRecord, "source" | "replica"> {
  kind: ReplicaKind;
  subscriptionId: string;
  resourceGroup: string;
  serverName: string;
  adminUser: string;
  adminPassword: SecretReference;
  /** Flexible Server: the replica's outbound address the source's firewall must admit, when the DBA gave it. */
  outboundAddress: string | null;
  sourceHost: string;
  sourcePort: number;
  replicationUser: string;
  replicationPassword: SecretReference;
  caCertificate: string | null;
  inspectionUser: string | null;
  inspectionPassword: SecretReference | null;
}

/** The row's flat properties of a record. */
function flattenLinkRecord(record: LinkRecord): FlatLinkRecord {
  const { source, replica, ...rest } = record;
  return {
    ...rest,
    kind: replica.kind,
    subscriptionId: replica.subscriptionId,
    resourceGroup: replica.resourceGroup,
    serverName: replica.serverName,
    adminUser: replica.adminUser,
    adminPassword: replica.adminPassword,
    outboundAddress: replica.outboundAddress ?? null,
    sourceHost: source.host,
    sourcePort: source.port,
    replicationUser: source.replicationUser,
    replicationPassword: source.replicationPassword,
    caCertificate: source.caCertificate ?? null,
    inspectionUser: source.inspectionUser ?? null,
    inspectionPassword: source.inspectionPassword ?? null,
  };
}

/** A record of flat properties (a row, or an old history's record) with its source and replica parts put back. */
export function nestLinkRecord(flat: FlatLinkRecord): LinkRecord {
  const {
    kind,
    subscriptionId,
    resourceGroup,
    serverName,
    adminUser,
    adminPassword,
    outboundAddress,
    sourceHost,
    sourcePort,
    replicationUser,
    replicationPassword,
    caCertificate,
    inspectionUser,
    inspectionPassword,
    ...rest
  } = flat;
  return {
    ...rest,
    source: {
      host: sourceHost,
      port: sourcePort,
      replicationUser,
      replicationPassword,
      ...(caCertificate ? { caCertificate } : {}),
      ...(inspectionUser ? { inspectionUser } : {}),
      ...(inspectionPassword ? { inspectionPassword } : {}),
    },
    replica: {
      kind,
      subscriptionId,
      resourceGroup,
      serverName,
      adminUser,
      adminPassword,
      ...(outboundAddress ? { outboundAddress } : {}),
    },
  };
}

export interface SkipRule {
  errno: number;
  maxSkips: number;
}

export interface HeartbeatSettings {
  writerUser: string;
  writerPassword: SecretReference;
  database: string;
}

interface HealthSummary {
  state: string;
  checkedAt: string;
  secondsBehindSource: number | null;
  driftCodes: string[];
}

/** What a change makes of the current row: the row to write, or null to leave it as it is. */
type LinkChange = (current: LinkRecord) => LinkRecord | null;

export interface LinkRegistry {
  get(id: string): Promise<LinkRecord | null>;
  upsert(record: LinkRecord): Promise<void>;
  /**
   * Read, change, write under optimistic concurrency (ETag If-Match). When another writer got in between (412), the
   * row is read again and the change re-applied to it, so each writer decides on the row as it really is: a change
   * that only applies to an active link returns null and gives up, a teardown's re-applies and wins. Resolves with
   * the row written, or null when the link is not registered or the change gave up.
   */
  update(id: string, change: LinkChange): Promise<LinkRecord | null>;
  list(): Promise<LinkRecord[]>;
}

/** Attempts of one update against concurrent writers before the conflict is thrown (a retry policy retries it). */
const UPDATE_ATTEMPTS = 10;

const PARTITION = "link";
const JSON_FIELDS = [
  "adminPassword",
  "replicationPassword",
  "inspectionPassword",
  "skipPolicy",
  "skipCounts",
  "heartbeat",
  "tableFilters",
  "lastHealth",
] as const;

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

function toEntity(record: LinkRecord): Entity {
  const entity: Entity = { partitionKey: PARTITION, rowKey: record.id };
  for (const [key, value] of Object.entries(flattenLinkRecord(record))) {
    if (value === null || value === undefined) continue;
    entity[key] = (JSON_FIELDS as readonly string[]).includes(key) ? JSON.stringify(value) : value;
  }
  return entity;
}

function fromEntity(entity: Record<string, unknown>): LinkRecord {
  const text = (key: string): string | null => (typeof entity[key] === "string" ? entity[key] : null);
  const number = (key: string): number | null => (typeof entity[key] === "number" ? entity[key] : null);
  const parsed = <T>(key: string): T | null => {
    const value = text(key);
    return value ? (JSON.parse(value) as T) : null;
  };
  const reference = (key: string) => parsed<SecretReference>(key);
  return nestLinkRecord({
    id: String(entity.rowKey),
    state: (text("state") ?? "failed") as LinkState,
    kind: (text("kind") ?? "single") as ReplicaKind,
    subscriptionId: text("subscriptionId") ?? "",
    resourceGroup: text("resourceGroup") ?? "",
    serverName: text("serverName") ?? "",
    replicaFqdn: text("replicaFqdn") ?? "",
    adminUser: text("adminUser") ?? "",
    adminPassword: reference("adminPassword") ?? { appSetting: "" },
    sourceHost: text("sourceHost") ?? "",
    sourcePort: number("sourcePort") ?? 3306,
    sourceIpv4: text("sourceIpv4"),
    replicationUser: text("replicationUser") ?? "",
    replicationPassword: reference("replicationPassword") ?? { appSetting: "" },
    caCertificate: text("caCertificate"),
    inspectionUser: text("inspectionUser"),
    inspectionPassword: reference("inspectionPassword"),
    firewallRuleName: text("firewallRuleName"),
    firewallRuleCreatedByApp: entity.firewallRuleCreatedByApp === true,
    binlogFile: text("binlogFile"),
    binlogPosition: number("binlogPosition"),
    linking: text("linking") === "gtid" ? "gtid" : "binlogPosition",
    outboundAddress: text("outboundAddress"),
    rolledBack: typeof entity.rolledBack === "boolean" ? entity.rolledBack : null,
    lastError: text("lastError"),
    skipPolicy: parsed<SkipRule[]>("skipPolicy") ?? [],
    skipCounts: parsed<Record<string, number>>("skipCounts") ?? {},
    heartbeat: parsed<HeartbeatSettings>("heartbeat"),
    tableFilters: parsed<TableFilterState>("tableFilters"),
    lastHealth: parsed<HealthSummary>("lastHealth"),
    createdAt: text("createdAt") ?? "",
    updatedAt: text("updatedAt") ?? "",
  });
}

/** Reads registry rows straight from the table (the health probe's range queries); same mapping as the registry. */
export const REGISTRY_PARTITION = PARTITION;
export const linkRecordFromEntity = fromEntity;

type StorageSettings = Pick<
  AppConfig,
  | "AzureWebJobsStorage"
  | "AzureWebJobsStorage__accountName"
  | "AzureWebJobsStorage__tableServiceUri"
  | "REGISTRY_TABLE_NAME"
>;

/**
 * Whether the SDK retries a failed call itself. Off under an activity: its durable retry policy (REGISTRY_RETRY,
 * PROBE_RETRY) is the one retry layer, so a throttled or failing call is thrown to it at once. On for the HTTP API and
 * the dashboard, which have nothing around them that retries.
 */
export interface TableClientRetries {
  sdkRetries: boolean;
}

/** The client options of every Table client of the app: the one place that decides its retries. */
function tableClientOptions(
  settings: StorageSettings,
  { sdkRetries }: TableClientRetries,
): TableServiceClientOptions {
  const connection = settings.AzureWebJobsStorage;
  const insecure =
    connection !== undefined &&
    /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|TableEndpoint=http:/i.test(connection);
  return {
    allowInsecureConnection: insecure,
    // No number for the API's side: the SDK's default policy (3 retries, exponential backoff, Retry-After honoured).
    ...(sdkRetries ? {} : { retryOptions: { maxRetries: 0 } }),
  };
}

/** A TableClient for the Functions storage account: connection string locally, managed identity on Azure. */
export function createTableClient(
  settings: StorageSettings,
  tableName: string,
  credential: () => TokenCredential,
  retries: TableClientRetries,
): TableClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TableClient: Client } = require("@azure/data-tables") as typeof import("@azure/data-tables");
  const options = tableClientOptions(settings, retries);
  const connection = settings.AzureWebJobsStorage;
  if (connection && connection.includes("="))
    return Client.fromConnectionString(connection, tableName, options);
  const uri =
    settings.AzureWebJobsStorage__tableServiceUri ??
    `https://${settings.AzureWebJobsStorage__accountName}.table.core.windows.net`;
  return new Client(uri, tableName, credential(), options);
}

/** Creates the table once per process; a table that already exists is fine. */
export function ensureTable(client: TableClient): () => Promise<void> {
  let created: Promise<void> | undefined;
  return () => {
    created ??= client.createTable().catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  };
}

export function createLinkRegistry(client: TableClient): LinkRegistry {
  const ready = ensureTable(client);
  return {
    async get(id: string): Promise<LinkRecord | null> {
      await ready();
      try {
        return fromEntity(await client.getEntity(PARTITION, id));
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
    },
    async upsert(record: LinkRecord): Promise<void> {
      await ready();
      await client.upsertEntity(toEntity(record), "Replace");
    },
    async update(id: string, change: LinkChange): Promise<LinkRecord | null> {
      await ready();
      for (let attempt = 1; ; attempt += 1) {
        let entity: Record<string, unknown> & { etag?: string };
        try {
          entity = await client.getEntity(PARTITION, id);
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 404) return null;
          throw error;
        }
        const next = change(fromEntity(entity));
        if (!next) return null;
        try {
          await client.updateEntity(toEntity({ ...next, id }), "Replace", { etag: entity.etag ?? "*" });
          return next;
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          // 412: someone else wrote since the read; 404: the row was deleted since. Read again and decide again. A
          // compare-and-set loop, not a second retry layer under the activity's policy: these calls succeeded in
          // saying the row moved on; a call that failed (429, 5xx, no answer) is thrown at once, above and here.
          if ((status === 412 || status === 404) && attempt < UPDATE_ATTEMPTS) continue;
          throw error;
        }
      }
    },
    async list(): Promise<LinkRecord[]> {
      await ready();
      const records: LinkRecord[] = [];
      for await (const entity of client.listEntities({
        queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
      })) {
        records.push(fromEntity(entity));
      }
      return records;
    },
  };
}
