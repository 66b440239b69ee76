// The provisioning body schema: valid bodies pass unchanged, every problem of a bad body is reported with its path.
import { describeIssues, provisionRequestSchema } from "../../../shared/request/provisionRequest";

const schema = provisionRequestSchema({
  KEY_VAULT_ALLOWED_HOSTS: ["kv-repl.vault.azure.net"],
  SECRET_APP_SETTING_PREFIX: "REPLICATION_SECRET_",
});

const valid = {
  source: {
    host: "db.example.com",
    port: 3306,
    replicationUser: "repl",
    replicationPassword: { keyVaultSecret: "https://kv-repl.vault.azure.net/secrets/repl-password" },
  },
  replica: {
    kind: "single",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-data",
    serverName: "replica-01",
    adminUser: "azureadmin",
    adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
  },
};

function problems(body: unknown) {
  const result = schema.safeParse(body, { reportInput: true });
  return result.success ? [] : describeIssues(result.error);
}

describe("provision request schema", () => {
  it("accepts a valid body and keeps every value", () => {
    const result = schema.safeParse({
      ...valid,
      binlog: { file: "mysql-bin.000042", position: 154 },
      dryRun: true,
    });
    expect(result.success).toBe(true);
    expect(result.data?.source.replicationPassword).toEqual(valid.source.replicationPassword);
    expect(result.data?.binlog).toEqual({ file: "mysql-bin.000042", position: 154 });
  });

  it("rejects a literal password with a message that explains references", () => {
    const found = problems({ ...valid, source: { ...valid.source, replicationPassword: "hunter2" } });
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe("source.replicationPassword");
    expect(found[0]?.message).toMatch(/secret reference/);
    expect(found[0]?.message).toMatch(/keyVaultSecret/);
    expect(JSON.stringify(found)).not.toContain("hunter2");
  });

  it("reports every problem at once, each with its path", () => {
    const found = problems({
      source: {
        host: "bad host'",
        port: 70000,
        replicationUser: "",
        replicationPassword: { appSetting: "AzureWebJobsStorage" },
      },
      replica: { ...valid.replica, kind: "mariadb", subscriptionId: "nope", serverName: "UPPER" },
      binlog: { file: "../etc/passwd", position: 1 },
      extra: true,
    });
    const paths = found.map((item) => item.path).sort();
    expect(paths).toEqual(
      [
        "binlog.file",
        "binlog.position",
        "extra",
        "replica.kind",
        "replica.serverName",
        "replica.subscriptionId",
        "source.host",
        "source.port",
        "source.replicationPassword.appSetting",
        "source.replicationUser",
      ].sort(),
    );
  });

  it("refuses Key Vault references to vaults the app does not list", () => {
    const found = problems({
      ...valid,
      source: {
        ...valid.source,
        replicationPassword: { keyVaultSecret: "https://attacker.vault.azure.net/secrets/x" },
      },
    });
    expect(found[0]?.path).toBe("source.replicationPassword.keyVaultSecret");
    expect(found[0]?.message).toMatch(/KEY_VAULT_ALLOWED_HOSTS/);
  });

  it("names missing required fields", () => {
    const found = problems({ source: valid.source });
    expect(found).toEqual([{ path: "replica", message: "is required" }]);
  });

  it("requires the inspection user and password together", () => {
    const found = problems({ ...valid, source: { ...valid.source, inspectionUser: "reader" } });
    expect(found).toEqual([
      { path: "source.inspectionPassword", message: expect.stringMatching(/go together/) as string },
    ]);
  });

  it("carries quotes, backslashes and Unicode in user names byte-exact", () => {
    const user = `r'e"p\\l–ü`;
    const result = schema.safeParse({ ...valid, source: { ...valid.source, replicationUser: user } });
    expect(result.data?.source.replicationUser).toBe(user);
  });

  it("rejects NUL and other control characters in user names", () => {
    const found = problems({ ...valid, source: { ...valid.source, replicationUser: "re\u0000pl" } });
    expect(found.map((item) => item.path)).toEqual(["source.replicationUser"]);
  });

  it("rejects a CA certificate that is not PEM", () => {
    const found = problems({
      ...valid,
      source: {
        ...valid.source,
        caCertificate: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----",
      },
    });
    expect(found.map((item) => item.path)).toEqual(["source.caCertificate"]);
  });

  it("accepts kind flexible with either linking method and an outbound address", () => {
    for (const linking of ["binlogPosition", "gtid"]) {
      const body = {
        ...valid,
        replica: { ...valid.replica, kind: "flexible", outboundAddress: "20.61.12.34" },
        linking,
      };
      expect(problems(body)).toEqual([]);
    }
  });

  it("accepts GTID linking for Single Server (decided by the replica's gtid_mode), refusing only its outbound address", () => {
    const found = problems({
      ...valid,
      source: { ...valid.source, port: 0 },
      replica: { ...valid.replica, outboundAddress: "20.61.12.34" },
      linking: "gtid",
    });
    expect(found.map((item) => item.path).sort()).toEqual(["replica.outboundAddress", "source.port"]);
    expect(problems({ ...valid, linking: "gtid" })).toEqual([]);
  });

  it("refuses an unknown linking method and an outbound address that is not IPv4", () => {
    const found = problems({
      ...valid,
      replica: { ...valid.replica, kind: "flexible", outboundAddress: "replica.example.com" },
      linking: "auto",
    });
    expect(found.map((item) => item.path).sort()).toEqual(["linking", "replica.outboundAddress"]);
  });
});
