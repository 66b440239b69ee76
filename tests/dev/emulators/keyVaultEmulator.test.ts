// The real SecretClient against the Key Vault emulator: challenge auth via the Entra emulator, versions, 403/404 on demand.
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { currentTestCa } from "../../../dev/tls/testCa";
import { startEmulators } from "../../../dev/emulators/startEmulators";
import { jwtClaims, setUpEmulators, type EmulatorEnv } from "./emulatorEnv";

describe("Key Vault emulator", () => {
  let env: EmulatorEnv;
  let client: SecretClient;

  beforeAll(async () => {
    env = await setUpEmulators();
    // A loopback vault has no parent domain for the challenge resource to match: see startEmulators.ts.
    client = new SecretClient(env.emulators.keyVault.vaultUrl, env.credential, {
      disableChallengeResourceVerification: true,
    });
  });
  afterAll(() => env.restore());

  it("authenticates through the challenge, then returns the latest version", async () => {
    const { keyVault, entra } = env.emulators;
    keyVault.setSecret("source-password", "first");
    keyVault.setSecret("source-password", "s3cr3t'\"\\");
    const secret = await client.getSecret("source-password");
    expect(secret.value).toBe("s3cr3t'\"\\");
    expect(secret.properties.enabled).toBe(true);
    expect(secret.properties.createdOn).toBeInstanceOf(Date);
    expect(secret.properties.vaultUrl).toBe(keyVault.vaultUrl);
    // The first, anonymous request learns the challenge; the retry carries a token for the announced resource.
    expect(keyVault.requests.slice(0, 2).map((r) => r.status)).toEqual([401, 200]);
    expect(keyVault.requests[1]?.apiVersion).toBe("2025-07-01");
    const tokenCall = entra.requests.filter((r) => r.path.endsWith("/token"));
    expect(tokenCall.length).toBeGreaterThan(0);
  });

  it("returns a given version, and the token carries the vault audience", async () => {
    const { keyVault } = env.emulators;
    const version = keyVault.setSecret("replication-user", "v1");
    keyVault.setSecret("replication-user", "v2");
    const secret = await client.getSecret("replication-user", { version });
    expect(secret.value).toBe("v1");
    expect(secret.properties.version).toBe(version);
    expect(secret.properties.id).toBe(keyVault.secretId("replication-user", version));
    const token = await env.credential.getToken(`${keyVault.resource}/.default`);
    expect(jwtClaims(token.token).aud).toBe("https://vault.azure.net");
  });

  it("answers 403 Forbidden on demand and 404 SecretNotFound for a missing secret", async () => {
    const { keyVault } = env.emulators;
    keyVault.setSecret("guarded", "x");
    keyVault.forbid({ secretName: "guarded" });
    await expect(client.getSecret("guarded")).rejects.toMatchObject({
      statusCode: 403,
      code: "Forbidden",
      message: expect.stringContaining("Caller is not authorized to perform action on resource"),
    });
    await expect(client.getSecret("guarded")).resolves.toMatchObject({ value: "x" });
    await expect(client.getSecret("never-set")).rejects.toMatchObject({
      statusCode: 404,
      code: "SecretNotFound",
    });
  });

  it("is refused by SecretClient's own resource check when verification stays on", async () => {
    const strict = new SecretClient(env.emulators.keyVault.vaultUrl, env.credential);
    await expect(strict.getSecret("source-password")).rejects.toThrow(/does not match the requested domain/);
  });

  it("also speaks the newer scope= challenge, with a custom resource", async () => {
    const other = await startEmulators({
      ca: await currentTestCa(),
      keyVault: { challengeForm: "scope", resource: "https://vault.localhost" },
    });
    try {
      const { entra, keyVault } = other;
      keyVault.setSecret("s", "scoped");
      const credential = new ClientSecretCredential(entra.tenantId, entra.clientId, entra.clientSecret, {
        authorityHost: entra.authorityHost,
        disableInstanceDiscovery: true,
      });
      const scoped = new SecretClient(keyVault.vaultUrl, credential, {
        disableChallengeResourceVerification: true,
      });
      await expect(scoped.getSecret("s")).resolves.toMatchObject({ value: "scoped" });
    } finally {
      await other.stop();
    }
  });
});
