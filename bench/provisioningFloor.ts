// The provisioning floor: the app's SQL, Resource Manager, Key Vault and Table calls made in sequence by a plain script.
import { setTimeout as sleep } from "node:timers/promises";
import { type TableClient } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { MySQLManagementClient } from "@azure/arm-mysql";
import { type RowDataPacket } from "mysql2/promise";
import { RESOURCE_GROUP, SUBSCRIPTION_ID, type LocalStack } from "../dev/stack/localStack";
import { validateSource } from "../shared/source/sourceValidation";
import { firewallRuleNameFor } from "../shared/domain/firewall";

const POLL_INTERVAL_MS = 100; // the local stack's first START_VERIFY_FIRST_INTERVAL_SECONDS (0.1 s)
const REPLICATION_SECRET = "source-replication-password";

export interface ProvisioningFloor {
  run(id: string): Promise<void>;
}

/** Clients are made once, as the app's process keeps its credential and SDK clients between runs. */
export function createProvisioningFloor(stack: LocalStack, table: TableClient): ProvisioningFloor {
  const settings = stack.appSettings;
  const credential = new DefaultAzureCredential({
    authorityHost: settings.AZURE_AUTHORITY_HOST!,
    disableInstanceDiscovery: true,
  });
  const arm = new MySQLManagementClient(credential, SUBSCRIPTION_ID, {
    endpoint: settings.ARM_ENDPOINT!,
    $host: settings.ARM_ENDPOINT!,
    retryOptions: { maxRetries: 0 },
  });
  const vault = new SecretClient(stack.emulators.keyVault.vaultUrl, credential, {
    disableChallengeResourceVerification: true,
  });
  const ruleFor = firewallRuleNameFor;

  return {
    async run(id: string): Promise<void> {
      const secret = await vault.getSecret(REPLICATION_SECRET);
      const replicationPassword = secret.value ?? "";
      const validation = await validateSource({
        host: stack.source.host,
        port: stack.source.port,
        replicationUser: stack.replicationUser,
        replicationPassword,
        caCertificate: stack.ca.caCertPem,
        inspection: { user: stack.inspectionUser, password: stack.secrets.inspectionPassword! },
        linking: "binlogPosition",
        allowPrivateAddresses: true,
        connectTimeoutMs: 5_000,
      });
      if (validation.checks.some((item) => item.status === "fail"))
        throw new Error("floor: validation failed");
      const ipv4 = validation.facts.resolvedIpv4 ?? "127.0.0.1";
      await arm.servers.get(RESOURCE_GROUP, stack.serverName);
      await arm.firewallRules.get(RESOURCE_GROUP, stack.serverName, ruleFor(id)).catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      });
      await arm.firewallRules.beginCreateOrUpdateAndWait(
        RESOURCE_GROUP,
        stack.serverName,
        ruleFor(id),
        { startIpAddress: ipv4, endIpAddress: ipv4 },
        { updateIntervalInMs: Number(settings.ARM_LRO_POLL_INTERVAL_MS ?? "50") },
      );
      const inspector = await stack.source.connect({
        user: stack.inspectionUser,
        password: stack.secrets.inspectionPassword!,
      });
      let coordinates: { File: string; Position: number };
      try {
        const [rows] = await inspector.query<RowDataPacket[]>("SHOW BINARY LOG STATUS");
        coordinates = rows[0] as { File: string; Position: number };
      } finally {
        await inspector.end();
      }
      const admin = await stack.replica.connectAsAdmin();
      try {
        await admin.query("SHOW REPLICA STATUS");
        await admin.execute("CALL mysql.az_replication_change_master(?, ?, ?, ?, ?, ?, ?)", [
          stack.source.host,
          stack.replicationUser,
          replicationPassword,
          stack.source.port,
          coordinates.File,
          Number(coordinates.Position),
          stack.ca.caCertPem,
        ]);
        await admin.query("CALL mysql.az_replication_start()");
        for (;;) {
          const [rows] = await admin.query<RowDataPacket[]>("SHOW REPLICA STATUS");
          const row = rows[0] as
            | { Replica_IO_Running?: string; Replica_SQL_Running?: string; Replica_IO_State?: string }
            | undefined;
          // The same "running" as the app's: MySQL says IO Yes before the source has accepted the dump request.
          if (
            row?.Replica_IO_Running === "Yes" &&
            row.Replica_SQL_Running === "Yes" &&
            /waiting for source to send event/i.test(row.Replica_IO_State ?? "")
          )
            break;
          await sleep(POLL_INTERVAL_MS);
        }
      } finally {
        await admin.end();
      }
      await table.createTable();
      await table.upsertEntity({ partitionKey: "link", rowKey: id, state: "replicating" }, "Replace");
    },
  };
}
