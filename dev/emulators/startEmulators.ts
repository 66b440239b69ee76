// Entry point of the local Azure stand-ins: Entra ID, Resource Manager (MySQL) and Key Vault on one certificate of the run's CA.
//
// How a client must be configured against them (all verified by tests/dev/emulators):
// - Credential: `new DefaultAzureCredential({ authorityHost, disableInstanceDiscovery: true })` with env() set.
//   Without disableInstanceDiscovery MSAL asks login.microsoftonline.com about the authority and fails
//   (endpoints_resolution_error). The option reaches EnvironmentCredential -> ClientSecretCredential -> MSAL.
// - ARM: `new MySQLManagementClient(credential, subscriptionId, { endpoint: arm.endpoint })` (same for Flexible);
//   pass `updateIntervalInMs` to begin*AndWait, or the 202 path waits core-lro's default 2 s between polls.
// - Key Vault: `new SecretClient(keyVault.vaultUrl, credential, { disableChallengeResourceVerification: true })`.
//   SecretClient only accepts a challenge whose resource host is a parent domain of the vault host; a vault on
//   127.0.0.1 has no parent domain, so verification must be off for a loopback vault (and only for one).
import { type IssuedCertificate, type TestCa } from "../tls/testCa";
import { ArmEmulator } from "./armEmulator";
import { EntraEmulator } from "./entraEmulator";
import { KeyVaultEmulator, type KeyVaultEmulatorOptions } from "./keyVaultEmulator";
import { TokenSigner } from "./tokenSigner";

export { startAzurite, type RunningAzurite } from "./azurite";

export interface StartEmulatorsOptions {
  ca: TestCa;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Injectable clock (epoch ms) for token issue/expiry and operation timestamps. */
  now?: () => number;
  keyVault?: Pick<KeyVaultEmulatorOptions, "resource" | "challengeForm" | "vaultName">;
}

export interface Emulators {
  entra: EntraEmulator;
  arm: ArmEmulator;
  keyVault: KeyVaultEmulator;
  /** The shared server certificate (issued by the run's CA for localhost and 127.0.0.1). */
  tls: IssuedCertificate;
  /** The AZURE_* variables DefaultAzureCredential (EnvironmentCredential) reads. */
  env(): Record<string, string>;
  /** The app settings that point the app at the emulators. */
  appSettings(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startEmulators(options: StartEmulatorsOptions): Promise<Emulators> {
  const [tls, signer] = await Promise.all([
    options.ca.issue({
      name: "emulators",
      commonName: "localhost",
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
    }),
    TokenSigner.create(),
  ]);
  const now = options.now;
  const entra = await EntraEmulator.start({
    tls,
    signer,
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    ...(now ? { now } : {}),
  });
  const shared = {
    tls,
    signer,
    tenantId: entra.tenantId,
    authorityHost: entra.authorityHost,
    ...(now ? { now } : {}),
  };
  const [arm, keyVault] = await Promise.all([
    ArmEmulator.start(shared),
    KeyVaultEmulator.start({ ...shared, ...options.keyVault }),
  ]);
  return {
    entra,
    arm,
    keyVault,
    tls,
    env: () => ({
      AZURE_TENANT_ID: entra.tenantId,
      AZURE_CLIENT_ID: entra.clientId,
      AZURE_CLIENT_SECRET: entra.clientSecret,
      AZURE_AUTHORITY_HOST: entra.authorityHost,
    }),
    appSettings: () => ({
      ARM_ENDPOINT: arm.endpoint,
      AZURE_AUTHORITY_HOST: entra.authorityHost,
      KEY_VAULT_ALLOWED_HOSTS: new URL(keyVault.vaultUrl).host,
    }),
    stop: async () => {
      await Promise.all([entra.stop(), arm.stop(), keyVault.stop()]);
    },
  };
}
