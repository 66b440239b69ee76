// Resolves secret references at the moment of use, inside the activity that needs the value; values are never returned upward.
import type { TokenCredential } from "@azure/core-auth";
import type { SecretClient } from "@azure/keyvault-secrets";
import { type SecretReference, parseKeyVaultSecretUri } from "../request/secretReference";

export interface SecretResolver {
  resolve(reference: SecretReference): Promise<string>;
}

/** A secret could not be read; the message names the reference, never a value. */
export class SecretResolutionError extends Error {
  override readonly name = "SecretResolutionError";
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface SecretResolverDependencies {
  credential: () => TokenCredential;
  env: Record<string, string | undefined>;
  allowedVaultHosts: readonly string[];
  appSettingPrefix: string;
}

export function createSecretResolver(deps: SecretResolverDependencies): SecretResolver {
  const clients = new Map<string, SecretClient>();
  const clientFor = (vaultUrl: string): SecretClient => {
    let client = clients.get(vaultUrl);
    if (!client) {
      // Loaded on first use: only activities that read a Key Vault secret pay for the SDK.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const keyVault = require("@azure/keyvault-secrets") as typeof import("@azure/keyvault-secrets");
      const Client = keyVault.SecretClient;
      // The SDK accepts a challenge only from a parent domain of the vault host; a loopback vault (the local
      // emulator) has none, so verification is off for loopback hosts only, never for a real vault.
      const host = new URL(vaultUrl).hostname;
      const loopback = host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
      client = new Client(vaultUrl, deps.credential(), { disableChallengeResourceVerification: loopback });
      clients.set(vaultUrl, client);
    }
    return client;
  };

  return {
    async resolve(reference: SecretReference): Promise<string> {
      if ("appSetting" in reference) {
        const name = reference.appSetting;
        if (!name.startsWith(deps.appSettingPrefix)) {
          throw new SecretResolutionError(
            `App setting ${name} is not a replication secret (prefix ${deps.appSettingPrefix}).`,
            false,
          );
        }
        const value = deps.env[name];
        if (value === undefined || value === "") {
          throw new SecretResolutionError(`App setting ${name} is not set.`, false);
        }
        return value;
      }
      const parsed = parseKeyVaultSecretUri(reference.keyVaultSecret, deps.allowedVaultHosts);
      if ("problem" in parsed) {
        throw new SecretResolutionError(
          `Key Vault reference ${reference.keyVaultSecret} ${parsed.problem}.`,
          false,
        );
      }
      try {
        const secret = await clientFor(parsed.vaultUrl).getSecret(
          parsed.name,
          parsed.version ? { version: parsed.version } : {},
        );
        if (secret.value === undefined) {
          throw new SecretResolutionError(
            `Key Vault secret ${reference.keyVaultSecret} has no value.`,
            false,
          );
        }
        return secret.value;
      } catch (error) {
        if (error instanceof SecretResolutionError) throw error;
        const status = (error as { statusCode?: number }).statusCode;
        const transient = status === undefined || status === 408 || status === 429 || status >= 500;
        const reason =
          status === 403
            ? "access denied: grant this app's managed identity the Key Vault Secrets User role on the vault"
            : status === 404
              ? "not found"
              : `failed (${status ?? (error as Error).name})`;
        throw new SecretResolutionError(
          `Reading Key Vault secret ${reference.keyVaultSecret}: ${reason}.`,
          transient,
        );
      }
    },
  };
}

/** Replaces every occurrence of the given secret values in a text (error messages from drivers and servers). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 3) result = result.split(secret).join("***");
  }
  return result;
}
