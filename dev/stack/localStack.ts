// The whole system on one machine: CA, emulators, Azurite, a source and an Azure-like replica, and the app on the local host.
import { randomBytes } from "node:crypto";
import { type TestCa } from "../tls/testCa";
import {
  startEmulators,
  startAzurite,
  type Emulators,
  type RunningAzurite,
} from "../emulators/startEmulators";
import { type HaMode } from "../emulators/emulatedServer";
import {
  startSource,
  startAzureLikeReplica,
  type GtidMode,
  type MysqlServer,
  type SourceOptions,
  detectServerBinary,
} from "../mysql";
import { LocalHost, type LogRecord } from "../host/localHost";
import { type Clock } from "../host/clock";
import {
  DESTINATION_TAG,
  ROLE_TAG,
  type SecretRole,
  bindingSettingName,
  replicaDestination,
  sourceDestination,
} from "../../shared/secrets/secretBinding";

export const SUBSCRIPTION_ID = "6c1f0d6e-3c5a-4a8f-9a55-2f1e4d0c7b11";
export const RESOURCE_GROUP = "rg-replication-sandbox";

/** Single: Basic | GeneralPurpose | MemoryOptimized. Flexible: Burstable | GeneralPurpose | MemoryOptimized. */
export type ReplicaTier = "Basic" | "Burstable" | "GeneralPurpose" | "MemoryOptimized";
type ReplicaKind = "single" | "flexible";

export interface LocalStackOptions {
  ca: TestCa;
  /** The app's function modules: functions/*.ts under Jest, dist/functions/*.js in plain Node. */
  functionModules: string[];
  clock?: Clock;
  /** Default "single". */
  replicaKind?: ReplicaKind;
  replicaTier?: ReplicaTier;
  /** Flexible only: the emulated server's high-availability mode; default Disabled. */
  haMode?: HaMode;
  /** Flexible only: default Enabled; Disabled stands for private access only. */
  publicNetworkAccess?: "Enabled" | "Disabled";
  /** Server parameters the emulated replica reports read-only (e.g. replicate_wild_ignore_table, as on some 5.7 Flexible Servers). */
  replicaReadOnlyParameters?: string[];
  serverName?: string;
  executeActivitiesTwice?: boolean;
  source?: SourceOptions;
  /**
   * The replica's gtid_mode at start. Default: ON for a Flexible replica with high availability (Azure forces it),
   * OFF otherwise, as Azure creates servers. When source and replica both have GTIDs on, the replica's GTID state is
   * seeded like a dump restore (see `seedReplicaGtidState`).
   */
  replicaGtidMode?: GtidMode;
  /** Extra app settings, applied last. */
  appSettings?: Record<string, string>;
  log?: (record: LogRecord) => void;
  /** Reports progress while components start (the sandbox prints it). */
  progress?: (component: string, detail: string) => void;
}

export interface ExampleRequest {
  source: {
    host: string;
    port: number;
    replicationUser: string;
    replicationPassword: { keyVaultSecret: string };
    caCertificate: string;
    inspectionUser: string;
    inspectionPassword: { appSetting: string };
  };
  replica: {
    kind: ReplicaKind;
    subscriptionId: string;
    resourceGroup: string;
    serverName: string;
    adminUser: string;
    adminPassword: { appSetting: string };
  };
}

export interface LocalStack {
  ca: TestCa;
  emulators: Emulators;
  azurite: RunningAzurite;
  source: MysqlServer;
  replica: MysqlServer;
  host: LocalHost;
  serverName: string;
  replicaKind: ReplicaKind;
  replicaFqdn: string;
  appSettings: Record<string, string>;
  /** Every secret value this stack generated: a leak check looks for each. */
  secrets: Record<string, string>;
  replicationUser: string;
  inspectionUser: string;
  adminUser: string;
  exampleRequest(): ExampleRequest;
  /** Sets the replica's GTID state to the source's now, as restoring a `mysqldump --set-gtid-purged=ON` dump does. */
  seedReplicaGtidState(): Promise<void>;
  /**
   * Sets app setting `name` (in process.env, where the app reads it) to `value`, bound through `<name>__BINDING`
   * to this stack's replica (role replica-admin) or to `user` on this stack's source host, at `port` (default the
   * source's own), for the other roles.
   */
  setBoundAppSetting(name: string, value: string, role: SecretRole, user?: string, port?: number): void;
  /** The Key Vault tags that bind a secret to this stack's replica, or to `user` on this stack's source. */
  bindingTags(role: SecretRole, user?: string): Record<string, string>;
  stop(): Promise<void>;
}

/** A password with the characters that break naive quoting. */
export function hostilePassword(): string {
  return `${randomBytes(12).toString("base64url")}'"\\;--#`;
}

const SAMPLE_SCHEMA = [
  "CREATE DATABASE IF NOT EXISTS shop",
  "CREATE TABLE IF NOT EXISTS shop.orders (id INT PRIMARY KEY, customer VARCHAR(64) NOT NULL, amount DECIMAL(10,2) NOT NULL, created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB",
  "INSERT INTO shop.orders (id, customer, amount) VALUES (1, 'ada', 12.50), (2, 'grace', 99.00), (3, 'linus', 7.25)",
];

/**
 * A replica seeded like a restore of `mysqldump --set-gtid-purged=ON` from a GTID source: the dump's
 * `SET @@GLOBAL.gtid_purged` needs an empty GTID state on the replica (Azure: the `resetGtid` action), and leaves the
 * replica's GTID state equal to the source's at the dump, so auto-positioning resumes from there.
 */
async function setReplicaGtidStateFromSource(source: MysqlServer, replica: MysqlServer): Promise<void> {
  const [row] = await source.rootQuery<{ executed: string }>("SELECT @@GLOBAL.gtid_executed AS executed");
  await replica.rootQuery("RESET BINARY LOGS AND GTIDS");
  await replica.rootQuery("SET GLOBAL gtid_purged = ?", [row?.executed ?? ""]);
}

/** Server parameters whose emulated value is the replica process's own: ARM reads and changes them for real. */
const REAL_PARAMETERS = ["gtid_mode", "enforce_gtid_consistency", "binlog_expire_logs_seconds"] as const;

async function applyServerParameter(replica: MysqlServer, name: string, value: string): Promise<void> {
  if (name === "replicate_wild_ignore_table") return applyWildIgnoreTable(replica, value);
  if (!(REAL_PARAMETERS as readonly string[]).includes(name)) return;
  // The name is one of the fixed list above, never caller text; the value is bound.
  await replica.rootQuery(`SET GLOBAL ${name} = ?`, [value]);
}

/**
 * What Azure does with replicate_wild_ignore_table, done to the real replica process: MySQL changes a filter only while
 * the SQL thread is stopped (error 3017 otherwise), so a running applier is stopped around the change and restarted.
 * MySQL's own refusals (a pattern without a dot) refuse the ARM change.
 */
async function applyWildIgnoreTable(replica: MysqlServer, value: string): Promise<void> {
  const patterns = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  const [status] = await replica.rootQuery<Record<string, unknown>>("SHOW REPLICA STATUS");
  const sqlRunning = status?.Replica_SQL_Running === "Yes";
  if (sqlRunning) await replica.rootQuery("STOP REPLICA SQL_THREAD");
  try {
    // Each pattern is bound (mysql2 quotes it); an empty list clears the filter.
    const list = patterns.map(() => "?").join(", ");
    await replica.rootQuery(`CHANGE REPLICATION FILTER REPLICATE_WILD_IGNORE_TABLE = (${list})`, patterns);
  } finally {
    if (sqlRunning) await replica.rootQuery("START REPLICA SQL_THREAD");
  }
}

async function seed(server: MysqlServer): Promise<void> {
  // The replica starts as a restored copy of the source: same schema, same rows, no binlog position needed.
  const connection = await server.rootConnection();
  try {
    await connection.query("SET SESSION sql_log_bin = 0");
    for (const statement of SAMPLE_SCHEMA) await connection.query(statement);
  } finally {
    await connection.end();
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const progress = options.progress ?? (() => undefined);
  const serverName = options.serverName ?? "sandbox-replica";
  const replicaKind = options.replicaKind ?? "single";
  // Single Server's admin logs in as user@server; Flexible Server's as the plain user.
  const replicaLogin = replicaKind === "single" ? `azureadmin@${serverName}` : "azureadmin";
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    progress("mysql", "looking for an Oracle MySQL server binary");
    const binary = await detectServerBinary();
    progress("mysql", `using ${binary.flavor} ${binary.version}`);

    const [emulators, azurite, source, replica] = await Promise.all([
      startEmulators({ ca: options.ca }).then((value) => {
        stops.push(() => value.stop());
        progress(
          "emulators",
          `Entra ID ${value.entra.authorityHost}, Resource Manager ${value.arm.endpoint}, Key Vault ${value.keyVault.vaultUrl}`,
        );
        return value;
      }),
      startAzurite().then((value) => {
        stops.push(() => value.stop());
        progress("azurite", `Table storage ${value.tableEndpoint}`);
        return value;
      }),
      startSource({ ca: options.ca, label: "source", ...options.source }).then((value) => {
        stops.push(() => value.stop());
        progress("source", `${value.flavor} ${value.version} on ${value.host}:${value.port}`);
        return value;
      }),
      startAzureLikeReplica({
        ca: options.ca,
        label: "replica",
        adminUser: replicaLogin,
        // Azure turns GTIDs on for a Flexible server with high availability; otherwise gtid_mode starts OFF.
        gtidMode:
          options.replicaGtidMode ??
          (replicaKind === "flexible" && (options.haMode ?? "Disabled") !== "Disabled" ? "ON" : "OFF"),
      }).then((value) => {
        stops.push(() => value.stop());
        progress("replica", `Azure-like replica on ${value.host}:${value.port}`);
        return value;
      }),
    ]);

    if (!replica.adminPassword) throw new Error("The Azure-like replica has no admin password.");
    const secrets = {
      replicationPassword: hostilePassword(),
      inspectionPassword: hostilePassword(),
      adminPassword: replica.adminPassword,
      clientSecret: emulators.entra.clientSecret,
    };
    const replicationUser = "repl";
    const inspectionUser = "inspector";
    await source.createUser({
      user: replicationUser,
      password: secrets.replicationPassword,
      privileges: ["REPLICATION SLAVE"],
    });
    await source.createUser({
      user: inspectionUser,
      password: secrets.inspectionPassword,
      privileges:
        source.flavor === "mariadb" ? ["SELECT", "BINLOG MONITOR"] : ["SELECT", "REPLICATION CLIENT"],
    });
    await Promise.all([seed(source), seed(replica)]);
    const [sourceGtid] =
      source.flavor === "mysql"
        ? await source.rootQuery<{ mode: string }>("SELECT @@GLOBAL.gtid_mode AS mode")
        : [];
    const [replicaGtid] = await replica.rootQuery<{ mode: string }>("SELECT @@GLOBAL.gtid_mode AS mode");
    if (sourceGtid?.mode === "ON" && replicaGtid?.mode === "ON")
      await setReplicaGtidStateFromSource(source, replica);
    progress("data", "sample schema shop.orders on both servers (the replica as if restored from a dump)");

    const versionParts = /^(\d+)\.(\d+)/.exec(replica.version);
    const replicaVersion = versionParts ? `${versionParts[1]}.${versionParts[2]}` : replica.version;
    const server = emulators.arm.addServer({
      kind: replicaKind,
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: serverName,
      tier: options.replicaTier ?? "GeneralPurpose",
      // The emulated server reports the version of the process standing in for it, so version checks compare real facts.
      version: replicaVersion,
      state: "Ready",
      publicNetworkAccess: options.publicNetworkAccess ?? "Enabled",
      ...(replicaKind === "flexible" ? { haMode: options.haMode ?? "Disabled" } : {}),
      sslEnforcement: "Enabled",
      administratorLogin: "azureadmin",
      replicaProcess: { host: replica.host, port: replica.port },
      ...(options.replicaReadOnlyParameters ? { readOnlyParameters: options.replicaReadOnlyParameters } : {}),
      parameterSink: (name, value) => applyServerParameter(replica, name, value),
      // resetGtid through ARM: what Azure does to the server's GTID state, done to the real replica process.
      gtidResetSink: async (gtidSet) => {
        await replica.rootQuery("RESET BINARY LOGS AND GTIDS");
        await replica.rootQuery("SET GLOBAL gtid_purged = ?", [gtidSet]);
      },
      replicationRunning: async () => {
        const [row] = await replica.rootQuery<Record<string, unknown>>("SHOW REPLICA STATUS");
        return row?.Replica_IO_Running === "Yes" || row?.Replica_SQL_Running === "Yes";
      },
    });
    for (const name of REAL_PARAMETERS) {
      const actual = await replica.variable(name);
      if (actual !== null) server.setParameter(name, actual);
    }
    const replicationSecretName = "source-replication-password";
    // Every secret is bound to where it may go (issue 11): Key Vault secrets by tags, app settings by a companion.
    const destinationFor = (role: SecretRole, user = "", port = source.port): string =>
      role === "replica-admin"
        ? replicaDestination({
            kind: replicaKind,
            subscriptionId: SUBSCRIPTION_ID,
            resourceGroup: RESOURCE_GROUP,
            serverName,
          })
        : sourceDestination(source.host, port, user);
    const binding = (role: SecretRole, user?: string, port?: number): string =>
      JSON.stringify({ role, destination: destinationFor(role, user, port) });
    const bindingTags = (role: SecretRole, user?: string): Record<string, string> => ({
      [ROLE_TAG]: role,
      [DESTINATION_TAG]: destinationFor(role, user),
    });
    emulators.keyVault.setSecret(replicationSecretName, secrets.replicationPassword, {
      tags: bindingTags("source-replication", replicationUser),
    });

    const appSettings: Record<string, string> = {
      ...emulators.env(),
      ...emulators.appSettings(),
      AzureWebJobsStorage: azurite.connectionString,
      DURABLE_TASK_HUB_NAME: "ReplicationSandbox",
      ALLOW_PRIVATE_SOURCE_ADDRESSES: "true",
      REPLICA_ADDRESS_OVERRIDES: JSON.stringify(emulators.arm.hostMap()),
      REPLICA_TLS_CA_FILE: options.ca.caCertFile,
      ARM_LRO_POLL_INTERVAL_MS: "50",
      START_VERIFY_BUDGET_SECONDS: "60",
      START_VERIFY_FIRST_INTERVAL_SECONDS: "0.1",
      MYSQL_CONNECT_TIMEOUT_SECONDS: "5",
      REPLICATION_SECRET_REPLICA_ADMIN: secrets.adminPassword,
      [bindingSettingName("REPLICATION_SECRET_REPLICA_ADMIN")]: binding("replica-admin"),
      REPLICATION_SECRET_SOURCE_INSPECTOR: secrets.inspectionPassword,
      [bindingSettingName("REPLICATION_SECRET_SOURCE_INSPECTOR")]: binding(
        "source-inspection",
        inspectionUser,
      ),
      ...options.appSettings,
    };
    progress("host", "loading the app's function modules on the local durable host");
    const host = await LocalHost.start({
      functionModules: options.functionModules,
      appSettings,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.executeActivitiesTwice ? { executeActivitiesTwice: true } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    stops.push(() => host.stop());

    const stack: LocalStack = {
      ca: options.ca,
      emulators,
      azurite,
      source,
      replica,
      host,
      serverName,
      replicaKind,
      replicaFqdn: server.fqdn,
      appSettings,
      secrets,
      replicationUser,
      inspectionUser,
      adminUser: "azureadmin",
      exampleRequest: () => ({
        source: {
          host: source.host,
          port: source.port,
          replicationUser,
          replicationPassword: {
            keyVaultSecret: `${emulators.keyVault.vaultUrl}/secrets/${replicationSecretName}`,
          },
          caCertificate: options.ca.caCertPem,
          inspectionUser,
          inspectionPassword: { appSetting: "REPLICATION_SECRET_SOURCE_INSPECTOR" },
        },
        replica: {
          kind: replicaKind,
          subscriptionId: SUBSCRIPTION_ID,
          resourceGroup: RESOURCE_GROUP,
          serverName,
          adminUser: "azureadmin",
          adminPassword: { appSetting: "REPLICATION_SECRET_REPLICA_ADMIN" },
        },
      }),
      seedReplicaGtidState: () => setReplicaGtidStateFromSource(source, replica),
      setBoundAppSetting: (name, value, role, user, port) => {
        process.env[name] = value;
        process.env[bindingSettingName(name)] = binding(role, user, port);
      },
      bindingTags,
      stop: stopAll,
    };
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
