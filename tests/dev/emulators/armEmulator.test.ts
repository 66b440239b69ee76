// The real @azure/arm-mysql and @azure/arm-mysql-flexible clients against the ARM emulator: reads, LROs on both paths, faults, auth.
import { MySQLManagementClient } from "@azure/arm-mysql";
import { MySQLManagementFlexibleServerClient } from "@azure/arm-mysql-flexible";
import { type EmulatedServer } from "../../../dev/emulators/emulatedServer";
import { isTransientArmError, toArmFailure } from "../../../shared/replica/replicaManager";
import { rawHttps } from "./rawHttps";
import { setUpEmulators, type EmulatorEnv } from "./emulatorEnv";

const SUB = "11111111-2222-3333-4444-555555555555";
const RG = "replication-rg";
// Keeps the 202 path fast: core-lro waits 2 s between polls unless told otherwise (Retry-After 0 does not count).
const FAST_POLL = { updateIntervalInMs: 10 };

describe("ARM emulator", () => {
  let env: EmulatorEnv;
  let single: EmulatedServer;
  let flexible: EmulatedServer;
  let singleClient: MySQLManagementClient;
  let flexClient: MySQLManagementFlexibleServerClient;

  beforeAll(async () => {
    env = await setUpEmulators();
    const { arm } = env.emulators;
    single = arm.addServer({
      kind: "single",
      subscriptionId: SUB,
      resourceGroup: RG,
      name: "legacy-replica",
      tier: "GeneralPurpose",
      version: "5.7",
      state: "Ready",
      publicNetworkAccess: "Enabled",
      replicaProcess: { host: "127.0.0.1", port: 33061 },
    });
    flexible = arm.addServer({
      kind: "flexible",
      subscriptionId: SUB,
      resourceGroup: RG,
      name: "flex-replica",
      tier: "GeneralPurpose",
      version: "8.0.21",
      state: "Ready",
      publicNetworkAccess: "Enabled",
      haMode: "ZoneRedundant",
      replicaProcess: { host: "127.0.0.1", port: 33062 },
    });
    singleClient = new MySQLManagementClient(env.credential, SUB, { endpoint: arm.endpoint });
    flexClient = new MySQLManagementFlexibleServerClient(env.credential, SUB, { endpoint: arm.endpoint });
  });
  afterAll(() => env.restore());

  const lastRequests = (n: number) =>
    env.emulators.arm.requests
      .slice(-n)
      .map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")} ${r.status}`);

  describe("servers", () => {
    it("serves a Single Server at api-version 2017-12-01, shaped like the REST example", async () => {
      const server = await singleClient.servers.get(RG, "legacy-replica");
      expect(server).toMatchObject({
        name: "legacy-replica",
        type: "Microsoft.DBforMySQL/servers",
        sku: { name: "GP_Gen5_4", tier: "GeneralPurpose", family: "Gen5", capacity: 4 },
        version: "5.7",
        sslEnforcement: "Enabled",
        minimalTlsVersion: "TLS1_2",
        userVisibleState: "Ready",
        fullyQualifiedDomainName: "legacy-replica.mysql.database.azure.com",
        publicNetworkAccess: "Enabled",
        administratorLogin: "azureadmin",
        replicationRole: "None",
      });
      expect(env.emulators.arm.requests.at(-1)).toMatchObject({
        method: "GET",
        apiVersion: "2017-12-01",
        status: 200,
      });
    });

    it("serves a Flexible Server at api-version 2021-05-01", async () => {
      const server = await flexClient.servers.get(RG, "flex-replica");
      expect(server).toMatchObject({
        type: "Microsoft.DBforMySQL/flexibleServers",
        sku: { name: "Standard_D2ds_v4", tier: "GeneralPurpose" },
        version: "8.0.21",
        state: "Ready",
        fullyQualifiedDomainName: "flex-replica.mysql.database.azure.com",
        network: { publicNetworkAccess: "Enabled" },
        highAvailability: { mode: "ZoneRedundant", state: "Healthy" },
        replicationRole: "None",
      });
      expect(env.emulators.arm.requests.at(-1)).toMatchObject({ apiVersion: "2021-05-01", status: 200 });
    });

    it("reflects state changes a test makes later", async () => {
      flexible.state = "Stopped";
      flexible.tier = "Burstable";
      try {
        const server = await flexClient.servers.get(RG, "flex-replica");
        expect(server.state).toBe("Stopped");
        expect(server.sku).toEqual({ name: "Standard_B1ms", tier: "Burstable" });
      } finally {
        flexible.state = "Ready";
        flexible.tier = "GeneralPurpose";
      }
    });

    it("maps FQDNs to the local replica processes", () => {
      const { arm } = env.emulators;
      expect(arm.addressOf("legacy-replica.mysql.database.azure.com")).toEqual({
        host: "127.0.0.1",
        port: 33061,
      });
      expect(arm.hostMap()).toEqual({
        "legacy-replica.mysql.database.azure.com": "127.0.0.1:33061",
        "flex-replica.mysql.database.azure.com": "127.0.0.1:33062",
      });
    });

    it("answers 404 ResourceNotFound / ResourceGroupNotFound like ARM", async () => {
      await expect(singleClient.servers.get(RG, "nope")).rejects.toMatchObject({
        statusCode: 404,
        code: "ResourceNotFound",
      });
      await expect(flexClient.servers.get("other-rg", "flex-replica")).rejects.toMatchObject({
        statusCode: 404,
        code: "ResourceGroupNotFound",
      });
    });
  });

  describe("firewall rules", () => {
    it("creates and deletes on the direct path (201, then 200, then 204 for a missing rule)", async () => {
      const rule = await singleClient.firewallRules.beginCreateOrUpdateAndWait(
        RG,
        "legacy-replica",
        "source-ip",
        {
          startIpAddress: "203.0.113.7",
          endIpAddress: "203.0.113.7",
        },
      );
      expect(rule).toMatchObject({
        name: "source-ip",
        startIpAddress: "203.0.113.7",
        endIpAddress: "203.0.113.7",
      });
      expect(lastRequests(1)).toEqual(["PUT firewallRules/source-ip 201"]);
      expect(single.firewallRule("source-ip")).toBeDefined();

      await singleClient.firewallRules.beginDeleteAndWait(RG, "legacy-replica", "source-ip");
      expect(lastRequests(1)).toEqual(["DELETE firewallRules/source-ip 200"]);
      expect(single.firewallRules()).toEqual([]);

      await singleClient.firewallRules.beginDeleteAndWait(RG, "legacy-replica", "source-ip");
      expect(lastRequests(1)).toEqual(["DELETE firewallRules/source-ip 204"]);
    });

    it("creates and deletes through 202 + Azure-AsyncOperation polling, on both server kinds", async () => {
      for (const [server, rules] of [
        [single, singleClient.firewallRules],
        [flexible, flexClient.firewallRules],
      ] as const) {
        server.lro = { mode: "async", inProgressPolls: 1 };
        try {
          const rule = await rules.beginCreateOrUpdateAndWait(
            RG,
            server.name,
            "outbound",
            { startIpAddress: "198.51.100.1", endIpAddress: "198.51.100.9" },
            FAST_POLL,
          );
          expect(rule).toMatchObject({ name: "outbound", startIpAddress: "198.51.100.1" });
          // Accepted, polled once InProgress and once Succeeded, then the final GET of the rule itself.
          expect(lastRequests(4)).toEqual([
            "PUT firewallRules/outbound 202",
            expect.stringMatching(/^GET azureAsyncOperation\/.+ 200$/),
            expect.stringMatching(/^GET azureAsyncOperation\/.+ 200$/),
            "GET firewallRules/outbound 200",
          ]);

          await rules.beginDeleteAndWait(RG, server.name, "outbound", FAST_POLL);
          expect(lastRequests(3)[0]).toBe("DELETE firewallRules/outbound 202");
          expect(server.firewallRule("outbound")).toBeUndefined();
        } finally {
          server.lro = { mode: "direct" };
        }
      }
    });

    it("follows a Location-only 202 to operationResults", async () => {
      flexible.lro = { mode: "location", inProgressPolls: 1 };
      try {
        const rule = await flexClient.firewallRules.beginCreateOrUpdateAndWait(
          RG,
          "flex-replica",
          "via-location",
          { startIpAddress: "192.0.2.1", endIpAddress: "192.0.2.1" },
          FAST_POLL,
        );
        expect(rule.name).toBe("via-location");
        expect(lastRequests(3)).toEqual([
          "PUT firewallRules/via-location 202",
          expect.stringMatching(/^GET operationResults\/.+ 202$/),
          expect.stringMatching(/^GET operationResults\/.+ 200$/),
        ]);
      } finally {
        flexible.lro = { mode: "direct" };
        flexible.deleteFirewallRule("via-location");
      }
    });

    it("surfaces an operation that ends Failed as an error, and leaves no rule behind", async () => {
      env.emulators.arm.faults.add({
        method: "PUT",
        pathIncludes: "/firewallRules/doomed",
        lro: {
          outcome: "Failed",
          error: { code: "InternalServerError", message: "Firewall update failed." },
        },
      });
      await expect(
        singleClient.firewallRules.beginCreateOrUpdateAndWait(
          RG,
          "legacy-replica",
          "doomed",
          { startIpAddress: "192.0.2.10", endIpAddress: "192.0.2.10" },
          FAST_POLL,
        ),
      ).rejects.toThrow(/long-running operation has failed.*InternalServerError.*Firewall update failed/);
      expect(single.firewallRule("doomed")).toBeUndefined();
    });

    it("carries Azure's error code in a failed operation, and the app judges the operation by it", async () => {
      const failOnce = (rule: string, code: string) =>
        env.emulators.arm.faults.add({
          method: "PUT",
          pathIncludes: `/firewallRules/${rule}`,
          lro: { outcome: "Failed", error: { code, message: `Refused by test (${code}).` } },
        });
      const put = (rule: string) =>
        singleClient.firewallRules.beginCreateOrUpdateAndWait(
          RG,
          "legacy-replica",
          rule,
          { startIpAddress: "192.0.2.11", endIpAddress: "192.0.2.11" },
          FAST_POLL,
        );
      failOnce("permanent", "InvalidParameterValue");
      const permanent = await put("permanent").catch((error: unknown) => error);
      expect(toArmFailure(permanent)).toMatchObject({ code: "InvalidParameterValue", operationFailed: true });
      expect(isTransientArmError(permanent)).toBe(false);

      failOnce("transient", "InternalServerError");
      const transient = await put("transient").catch((error: unknown) => error);
      expect(toArmFailure(transient).code).toBe("InternalServerError");
      expect(isTransientArmError(transient)).toBe(true);
      const status = env.emulators.arm.requests.filter((r) => r.path.includes("azureAsyncOperation")).at(-1);
      expect(status?.status).toBe(200);
      expect(single.firewallRule("permanent")).toBeUndefined();
    });

    it("rejects a non-IPv4 address with 400, as ARM does", async () => {
      await expect(
        flexClient.firewallRules.beginCreateOrUpdateAndWait(RG, "flex-replica", "bad", {
          startIpAddress: "2001:db8::1",
          endIpAddress: "2001:db8::1",
        }),
      ).rejects.toMatchObject({ statusCode: 400, code: "InvalidParameterValue" });
    });

    it("lists rules, and 404s a rule a test deleted behind the app's back", async () => {
      single.setFirewallRule({ name: "a", startIpAddress: "192.0.2.1", endIpAddress: "192.0.2.1" });
      single.setFirewallRule({ name: "b", startIpAddress: "192.0.2.2", endIpAddress: "192.0.2.2" });
      const names: string[] = [];
      for await (const rule of singleClient.firewallRules.listByServer(RG, "legacy-replica"))
        names.push(rule.name!);
      expect(names.sort()).toEqual(["a", "b"]);

      single.deleteFirewallRule("a");
      await expect(singleClient.firewallRules.get(RG, "legacy-replica", "a")).rejects.toMatchObject({
        statusCode: 404,
      });
      single.deleteFirewallRule("b");
    });
  });

  describe("faults", () => {
    it("injected 429 with Retry-After: the SDK waits and retries, then succeeds", async () => {
      const { arm } = env.emulators;
      arm.faults.add({
        method: "GET",
        pathIncludes: "/servers/legacy-replica",
        status: 429,
        retryAfterSeconds: 0,
        times: 2,
      });
      const server = await singleClient.servers.get(RG, "legacy-replica");
      expect(server.name).toBe("legacy-replica");
      expect(arm.requests.slice(-3).map((r) => [r.status, r.injected])).toEqual([
        [429, true],
        [429, true],
        [200, false],
      ]);
    });

    it("injected 503 is retried too", async () => {
      const { arm } = env.emulators;
      arm.faults.add({ pathRegex: /flexibleServers\/flex-replica$/, status: 503, retryAfterSeconds: 0 });
      await flexClient.servers.get(RG, "flex-replica");
      expect(arm.requests.slice(-2).map((r) => r.status)).toEqual([503, 200]);
    });

    it("adds latency on demand", async () => {
      env.emulators.arm.faults.add({ pathIncludes: "legacy-replica", delayMs: 150 });
      const started = performance.now();
      await singleClient.servers.get(RG, "legacy-replica");
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });
  });

  describe("configurations", () => {
    it("reads and sets a Single Server parameter through the PUT LRO", async () => {
      const before = await singleClient.configurations.get(
        RG,
        "legacy-replica",
        "replicate_wild_ignore_table",
      );
      expect(before).toMatchObject({ value: "", source: "system-default" });
      const after = await singleClient.configurations.beginCreateOrUpdateAndWait(
        RG,
        "legacy-replica",
        "replicate_wild_ignore_table",
        { value: "mysql.%,sys.%" },
      );
      expect(after).toMatchObject({ value: "mysql.%,sys.%", source: "user-override" });
      const lctn = await singleClient.configurations.get(RG, "legacy-replica", "lower_case_table_names");
      expect(lctn.value).toBe("1");
    });

    it("moves gtid_mode one step at a time, upwards only, and refuses any other change with InvalidParameterValue", async () => {
      const set = (value: string) =>
        flexClient.configurations.beginUpdateAndWait(RG, "flex-replica", "gtid_mode", { value }, FAST_POLL);
      try {
        await expect(set("ON")).rejects.toMatchObject({ statusCode: 400, code: "InvalidParameterValue" });
        await expect(set("ON_PERMISSIVE")).rejects.toMatchObject({ statusCode: 400 });
        expect((await set("OFF_PERMISSIVE")).value).toBe("OFF_PERMISSIVE");
        expect((await set("ON_PERMISSIVE")).value).toBe("ON_PERMISSIVE");
        await expect(set("OFF_PERMISSIVE")).rejects.toMatchObject({
          statusCode: 400,
          code: "InvalidParameterValue",
          message: expect.stringMatching(/cannot go back/) as string,
        });
        expect((await set("ON")).value).toBe("ON");
        expect((await set("ON")).value).toBe("ON");
        await expect(set("OFF")).rejects.toMatchObject({ statusCode: 400 });
        expect(flexible.parameters.get("gtid_mode")?.value).toBe("ON");
      } finally {
        flexible.setParameter("gtid_mode", "OFF");
      }
    });

    it("updates a Flexible Server parameter with PATCH, lists them, and refuses a read-only one", async () => {
      const updated = await flexClient.configurations.beginUpdateAndWait(
        RG,
        "flex-replica",
        "replicate_wild_ignore_table",
        { value: "db.tmp%" },
      );
      expect(updated.value).toBe("db.tmp%");
      const names: string[] = [];
      for await (const c of flexClient.configurations.listByServer(RG, "flex-replica")) names.push(c.name!);
      expect(names).toEqual(expect.arrayContaining(["lower_case_table_names", "gtid_mode"]));
      await expect(
        flexClient.configurations.beginUpdateAndWait(RG, "flex-replica", "lower_case_table_names", {
          value: "2",
        }),
      ).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  describe("auth and api-version", () => {
    const serverUrl = () =>
      `${env.emulators.arm.endpoint}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.DBforMySQL/servers/legacy-replica`;

    it("401 without a token, with an expired token, and with a token for another audience", async () => {
      const { entra, keyVault, arm } = env.emulators;
      const missing = await rawHttps(`${serverUrl()}?api-version=2017-12-01`);
      expect(missing.status).toBe(401);
      expect(missing.json).toMatchObject({ error: { code: "AuthenticationFailed" } });
      expect(missing.headers["www-authenticate"]).toContain("Bearer");

      const otherScope = await env.credential.getToken(`${keyVault.vaultUrl}/.default`);
      const wrongAudience = await rawHttps(`${serverUrl()}?api-version=2017-12-01`, {
        headers: { authorization: `Bearer ${otherScope.token}` },
      });
      expect(wrongAudience.status).toBe(401);
      expect(wrongAudience.json).toMatchObject({ error: { code: "InvalidAuthenticationTokenAudience" } });

      const expired = entra.mintToken({ audience: arm.endpoint, expiresInSeconds: -60 });
      const expiredReply = await rawHttps(`${serverUrl()}?api-version=2017-12-01`, {
        headers: { authorization: `Bearer ${expired}` },
      });
      expect(expiredReply.json).toMatchObject({ error: { code: "ExpiredAuthenticationToken" } });

      const foreign = entra.mintToken({
        audience: arm.endpoint,
        tenantId: "99999999-0000-0000-0000-000000000000",
      });
      const foreignReply = await rawHttps(`${serverUrl()}?api-version=2017-12-01`, {
        headers: { authorization: `Bearer ${foreign}` },
      });
      expect(foreignReply.json).toMatchObject({ error: { code: "InvalidAuthenticationTokenTenant" } });
    });

    it("400 for an unsupported or missing api-version", async () => {
      const { arm } = env.emulators;
      const token = await env.credential.getToken(`${arm.endpoint}/.default`);
      const headers = { authorization: `Bearer ${token.token}` };
      const unsupported = await rawHttps(`${serverUrl()}?api-version=2021-05-01`, { headers });
      expect(unsupported.status).toBe(400);
      expect(unsupported.json).toMatchObject({ error: { code: "NoRegisteredProviderFound" } });
      const malformed = await rawHttps(`${serverUrl()}?api-version=latest`, { headers });
      expect(malformed.json).toMatchObject({ error: { code: "InvalidApiVersionParameter" } });
      const missing = await rawHttps(serverUrl(), { headers });
      expect(missing.json).toMatchObject({ error: { code: "MissingApiVersionParameter" } });
    });

    it("serves Flexible Server api-versions through 2024-12-30 and refuses unknown ones as ARM does", async () => {
      const { arm } = env.emulators;
      const token = await env.credential.getToken(`${arm.endpoint}/.default`);
      const headers = { authorization: `Bearer ${token.token}` };
      const flexUrl = `${arm.endpoint}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.DBforMySQL/flexibleServers/flex-replica`;
      for (const version of [
        "2021-05-01",
        "2023-12-30",
        "2024-10-01-preview",
        "2024-12-01-preview",
        "2024-12-30",
      ]) {
        const reply = await rawHttps(`${flexUrl}?api-version=${version}`, { headers });
        expect([version, reply.status]).toEqual([version, 200]);
      }
      const unknown = await rawHttps(`${flexUrl}?api-version=2025-01-01`, { headers });
      expect(unknown.status).toBe(400);
      expect(unknown.json).toMatchObject({
        error: {
          code: "NoRegisteredProviderFound",
          message: expect.stringContaining("2024-12-30") as string,
        },
      });
      const malformed = await rawHttps(`${flexUrl}?api-version=2024-12`, { headers });
      expect(malformed.json).toMatchObject({ error: { code: "InvalidApiVersionParameter" } });
    });

    it("404 SubscriptionNotFound for an unknown subscription", async () => {
      const other = new MySQLManagementClient(env.credential, "00000000-0000-0000-0000-000000000000", {
        endpoint: env.emulators.arm.endpoint,
      });
      await expect(other.servers.get(RG, "legacy-replica")).rejects.toMatchObject({
        statusCode: 404,
        code: "SubscriptionNotFound",
      });
    });
  });
});
