// The real DefaultAzureCredential gets tokens from the Entra emulator, and sees its failures the way it would see Entra's.
import { DefaultAzureCredential } from "@azure/identity";
import { jwtClaims, setUpEmulators, type EmulatorEnv } from "./emulatorEnv";

describe("Entra ID emulator", () => {
  let env: EmulatorEnv;

  beforeAll(async () => {
    env = await setUpEmulators();
    console.log(`startEmulators took ${env.startMs.toFixed(0)} ms`);
  });
  afterAll(() => env.restore());

  it("starts Entra, ARM and Key Vault well under two seconds", () => {
    expect(env.startMs).toBeLessThan(2000);
  });

  it("issues a signed token for the requested resource through DefaultAzureCredential", async () => {
    const { entra, arm } = env.emulators;
    const token = await env.credential.getToken(`${arm.endpoint}/.default`);

    const claims = jwtClaims(token.token);
    expect(claims.aud).toBe(arm.endpoint);
    expect(claims.tid).toBe(entra.tenantId);
    expect(claims.appid).toBe(entra.clientId);
    expect(typeof claims.oid).toBe("string");
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 3000);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
    // MSAL read the tenant's discovery document from the emulator, then called its token endpoint; nothing else.
    const paths = entra.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain(`GET /${entra.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(paths).toContain(`POST /${entra.tenantId}/oauth2/v2.0/token`);
  });

  it("rejects a wrong client secret with invalid_client (AADSTS7000215)", async () => {
    const { entra } = env.emulators;
    process.env.AZURE_CLIENT_SECRET = "not-the-secret";
    try {
      const credential = new DefaultAzureCredential({
        authorityHost: entra.authorityHost,
        disableInstanceDiscovery: true,
      });
      await expect(credential.getToken("https://127.0.0.1:1/.default")).rejects.toThrow(/AADSTS7000215/);
      expect(entra.requests.at(-1)).toMatchObject({ method: "POST", status: 401 });
    } finally {
      process.env.AZURE_CLIENT_SECRET = entra.clientSecret;
    }
  });

  it("fails token requests on demand: invalid_client surfaces, a single 500 is retried by the SDK", async () => {
    const { entra } = env.emulators;
    const scope = "https://127.0.0.1:2/.default";
    const fresh = () =>
      new DefaultAzureCredential({ authorityHost: entra.authorityHost, disableInstanceDiscovery: true });

    entra.failTokenRequests({ error: "invalid_client" });
    await expect(fresh().getToken(scope)).rejects.toThrow(/invalid_client|AADSTS7000215/);

    const before = entra.requests.length;
    entra.failTokenRequests({ status: 500 });
    const token = await fresh().getToken(scope);
    expect(jwtClaims(token.token).aud).toBe("https://127.0.0.1:2");
    const tokenCalls = entra.requests.slice(before).filter((r) => r.path.endsWith("/token"));
    expect(tokenCalls.map((r) => r.status)).toEqual([500, 200]);
  });

  it("is unusable without disableInstanceDiscovery: MSAL asks the public cloud about the authority", async () => {
    const { entra } = env.emulators;
    const before = entra.requests.length;
    const credential = new DefaultAzureCredential({ authorityHost: entra.authorityHost });
    await expect(credential.getToken("https://127.0.0.1:3/.default")).rejects.toThrow(
      /endpoints_resolution_error/,
    );
    expect(entra.requests.slice(before).filter((r) => r.path.endsWith("/token"))).toHaveLength(0);
  });
});
