// What both replica managers share, without ARM: the client's settings, the server's fields, and 404 as "not there".
import { RestError } from "@azure/core-rest-pipeline";
import { armClientSettings, armServerOperations } from "../../../shared/replica/armServerOperations";
import { type ReplicaTarget } from "../../../shared/replica/replicaManager";

const TARGET: ReplicaTarget = {
  kind: "flexible",
  subscriptionId: "11111111-2222-3333-4444-555555555555",
  resourceGroup: "rg",
  serverName: "replica",
};

/** As the SDKs throw it for a missing resource. */
function notFound(what: string): RestError {
  return new RestError(`${what} not found`, { code: "ResourceNotFound", statusCode: 404 });
}

/** One server's rules and parameters in memory, answering like the SDK operations: 404 for what is not there. */
function fakeServer(server: { name?: string; sku?: { name?: string; tier?: string } } | null) {
  const rules = new Map<string, { startIpAddress: string; endIpAddress: string }>();
  const parameters = new Map([["replicate_wild_ignore_table", { value: "a.b", isReadOnly: "False" }]]);
  const failure = new RestError("throttled", { code: "TooManyRequests", statusCode: 429 });
  let throttled = false;
  const operations = armServerOperations({
    target: TARGET,
    poll: { updateIntervalInMs: 1 },
    getServer: () => {
      if (throttled) return Promise.reject(failure);
      return server ? Promise.resolve(server) : Promise.reject(notFound("server"));
    },
    kindFields: () => ({
      state: "Ready",
      sslEnforcement: null,
      publicNetworkAccess: "Enabled",
      delegatedSubnetResourceId: null,
      highAvailabilityMode: null,
    }),
    firewallRules: {
      get: (_rg, _server, rule) => {
        const found = rules.get(rule);
        return found ? Promise.resolve({ name: rule, ...found }) : Promise.reject(notFound(rule));
      },
      beginCreateOrUpdateAndWait: (_rg, _server, rule, parameters) => {
        rules.set(rule, parameters);
        return Promise.resolve({});
      },
      beginDeleteAndWait: (_rg, _server, rule) =>
        rules.delete(rule) ? Promise.resolve({}) : Promise.reject(notFound(rule)),
    },
    getConfiguration: (name) => {
      const found = parameters.get(name);
      return found ? Promise.resolve({ name, defaultValue: "", ...found }) : Promise.reject(notFound(name));
    },
  });
  return { operations, throttle: () => (throttled = true) };
}

describe("armClientSettings", () => {
  it("points $host and the token scope at the same endpoint, without a trailing slash, with the SDK's retries off", () => {
    const settings = armClientSettings({
      ARM_ENDPOINT: "https://management.azure.com//",
      ARM_LRO_POLL_INTERVAL_MS: 250,
    });
    expect(settings.endpoint).toBe("https://management.azure.com");
    expect(settings.clientOptions).toEqual({
      endpoint: "https://management.azure.com",
      $host: "https://management.azure.com",
      retryOptions: { maxRetries: 0 },
    });
    expect(settings.poll).toEqual({ updateIntervalInMs: 250 });
  });
});

describe("armServerOperations", () => {
  it("reports the server with the kind's own fields, defaults where ARM leaves a field out", async () => {
    const { operations } = fakeServer({ sku: { tier: "GeneralPurpose" } });
    expect(await operations.getServer()).toEqual({
      kind: "flexible",
      name: "replica",
      fqdn: "",
      version: "",
      tier: "GeneralPurpose",
      skuName: "",
      state: "Ready",
      sslEnforcement: null,
      publicNetworkAccess: "Enabled",
      delegatedSubnetResourceId: null,
      highAvailabilityMode: null,
      administratorLogin: null,
    });
  });

  it("a missing server is null; any other failure is thrown for the retry policy to judge", async () => {
    expect(await fakeServer(null).operations.getServer()).toBeNull();
    const throttled = fakeServer({});
    throttled.throttle();
    await expect(throttled.operations.getServer()).rejects.toMatchObject({ statusCode: 429 });
  });

  it("a firewall rule is there after put, gone after delete, and deleting it again succeeds", async () => {
    const { operations } = fakeServer({});
    expect(await operations.getFirewallRule("rule")).toBeNull();
    await operations.putFirewallRule("rule", "203.0.113.5");
    expect(await operations.getFirewallRule("rule")).toEqual({
      name: "rule",
      startIpAddress: "203.0.113.5",
      endIpAddress: "203.0.113.5",
    });
    await operations.deleteFirewallRule("rule");
    await operations.deleteFirewallRule("rule");
    expect(await operations.getFirewallRule("rule")).toBeNull();
  });

  it("reads a server parameter, and null for one the server does not have", async () => {
    const { operations } = fakeServer({});
    expect(await operations.getServerParameter("replicate_wild_ignore_table")).toEqual({
      name: "replicate_wild_ignore_table",
      value: "a.b",
      defaultValue: "",
      isReadOnly: false,
    });
    expect(await operations.getServerParameter("no_such_parameter")).toBeNull();
  });
});
