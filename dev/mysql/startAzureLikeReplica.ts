// Starts a throwaway REPLICA that behaves like Azure Database for MySQL: TLS required, lower_case_table_names=1, a non-root admin, and the az_replication_* procedures.
import { randomBytes } from "node:crypto";
import { type TestCa } from "../tls/testCa";
import { installAzureReplicationProcedures } from "./azureReplicationProcedures";
import { MysqlServer } from "./mysqlServer";
import { detectServerBinary, installInstructions, type ServerBinary } from "./serverBinary";
import { gtidArgs, type GtidMode } from "./startSource";
import { allocateServerId } from "./serverIds";
import { serverTlsFor } from "./serverTls";

export interface AzureLikeReplicaOptions {
  /** Default "azureadmin". */
  adminUser?: string;
  /** Default: 24 random characters, including characters that need quoting. */
  adminPassword?: string;
  /** Default: a fresh non-zero id. */
  serverId?: number;
  /** undefined: the run's CA; a CA of your own; null is refused unless requireSecureTransport is false. */
  ca?: TestCa | null;
  /** Default true, like Azure's require_secure_transport / sslEnforcement. */
  requireSecureTransport?: boolean;
  /** Default 1, like Azure. */
  lowerCaseTableNames?: 0 | 1 | 2;
  /** Default OFF, as Azure creates servers (Flexible with HA: ON). Later changes go through the ARM emulator's server parameters. */
  gtidMode?: GtidMode;
  extraArgs?: readonly string[];
  binary?: ServerBinary;
  label?: string;
}

/**
 * Privileges of Azure's server admin (the list Azure documents for MySQL 8.0's admin). Deliberately absent:
 * SUPER, REPLICATION_SLAVE_ADMIN, SYSTEM_VARIABLES_ADMIN, FILE, SHUTDOWN: CHANGE REPLICATION SOURCE, START
 * REPLICA and SET GLOBAL gtid_mode are refused (1227), as on Azure; the az_replication_* procedures do them.
 */
const AZURE_ADMIN_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "RELOAD",
  "PROCESS",
  "REFERENCES",
  "INDEX",
  "ALTER",
  "SHOW DATABASES",
  "CREATE TEMPORARY TABLES",
  "LOCK TABLES",
  "EXECUTE",
  "REPLICATION SLAVE",
  "REPLICATION CLIENT",
  "CREATE VIEW",
  "SHOW VIEW",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "CREATE USER",
  "EVENT",
  "TRIGGER",
  "CREATE ROLE",
  "DROP ROLE",
] as const;

function generatePassword(): string {
  // Quotes and a backslash on purpose: whatever handles this password must bind it, not splice it.
  return `${randomBytes(12).toString("base64url")}'"\\;Az9`;
}

export async function startAzureLikeReplica(options: AzureLikeReplicaOptions = {}): Promise<MysqlServer> {
  const binary = options.binary ?? (await detectServerBinary());
  const requireSecureTransport = options.requireSecureTransport ?? true;
  const tls = await serverTlsFor(options.ca);
  if (requireSecureTransport && !tls)
    throw new Error("requireSecureTransport needs a CA (ca: null turns TLS off)");
  if (binary.flavor !== "mysql") {
    throw new Error(
      `An Azure-like replica runs Oracle MySQL, as every Azure server does; found ${binary.flavor} ${binary.version}. ${installInstructions("mysql")}`,
    );
  }
  const args = [
    "--log-bin=binlog",
    "--binlog-format=ROW",
    "--log-replica-updates",
    "--relay-log=relay-bin",
    ...gtidArgs(options.gtidMode ?? "OFF"),
    `--require-secure-transport=${requireSecureTransport ? "ON" : "OFF"}`,
    `--lower-case-table-names=${options.lowerCaseTableNames ?? 1}`,
    ...(options.extraArgs ?? []),
  ];
  const server = await MysqlServer.launch({
    label: options.label ?? "replica",
    serverId: options.serverId ?? allocateServerId(),
    args,
    tls,
    binary,
  });
  try {
    const adminUser = options.adminUser ?? "azureadmin";
    const adminPassword = options.adminPassword ?? generatePassword();
    await server.rootQuery("CREATE USER ?@'%' IDENTIFIED BY ?", [adminUser, adminPassword]);
    await server.rootQuery(`GRANT ${AZURE_ADMIN_PRIVILEGES.join(", ")} ON *.* TO ?@'%' WITH GRANT OPTION`, [
      adminUser,
    ]);
    await installAzureReplicationProcedures(server, { user: adminUser, host: "%" });
    server.adminUser = adminUser;
    server.adminPassword = adminPassword;
    return server;
  } catch (err) {
    await server.stop();
    throw err;
  }
}
