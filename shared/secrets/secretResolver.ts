// Resolves secret references at the moment of use, inside the activity that needs the value; values are never returned upward.
import type { TokenCredential } from "@azure/core-auth";
import type { KeyVaultSecret, SecretClient } from "@azure/keyvault-secrets";
import {
  type SecretReference,
  describeSecretReference,
  parseKeyVaultSecretUri,
} from "../request/secretReference";
import {
  DESTINATION_TAG,
  ROLE_TAG,
  type SecretPurpose,
  bindingAllows,
  bindingHelp,
  bindingSettingName,
  parseBindingSetting,
} from "./secretBinding";

export interface SecretResolver {
  /**
   * The secret's value, released only when its binding names `purpose`'s role and destination. A secret that does
   * not exist and one bound elsewhere are refused with the same message: a caller learns nothing about which.
   */
  resolve(reference: SecretReference, purpose: SecretPurpose): Promise<string>;
}

/** A secret could not be read or is not released here; the message names the field, never a value. */
export class SecretResolutionError extends Error {
  override readonly name = "SecretResolutionError";
  constructor(
    message: string,
    readonly transient: boolean,
    readonly remedy = "Check the secret reference and the app's access to it.",
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

function notReleased(reference: SecretReference, purpose: SecretPurpose): SecretResolutionError {
  return new SecretResolutionError(
    `${purpose.field}: ${describeSecretReference(reference)} is not released for ${purpose.role} to ${purpose.destination}. ` +
      "A secret is released only to the destination and role it is bound to; this one does not exist, is disabled, has no binding, or is bound elsewhere.",
    false,
    bindingHelp(purpose),
  );
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
      // No SDK retries: every resolution runs inside an activity under the orchestrator's retry policy (or a dry run's
      // runWithRetry with the same policy), which retries a transient SecretResolutionError; two layers would multiply.
      client = new Client(vaultUrl, deps.credential(), {
        disableChallengeResourceVerification: loopback,
        retryOptions: { maxRetries: 0 },
      });
      clients.set(vaultUrl, client);
    }
    return client;
  };

  return {
    async resolve(reference: SecretReference, purpose: SecretPurpose): Promise<string> {
      if ("appSetting" in reference) {
        const name = reference.appSetting;
        if (!name.startsWith(deps.appSettingPrefix) || name.includes("__"))
          throw notReleased(reference, purpose);
        const value = deps.env[name];
        const binding = parseBindingSetting(deps.env[bindingSettingName(name)]);
        if (value === undefined || value === "" || !bindingAllows(binding, purpose)) {
          throw notReleased(reference, purpose);
        }
        return value;
      }
      const parsed = parseKeyVaultSecretUri(reference.keyVaultSecret, deps.allowedVaultHosts);
      if ("problem" in parsed) {
        throw new SecretResolutionError(
          `${purpose.field}: Key Vault reference ${reference.keyVaultSecret} ${parsed.problem}.`,
          false,
        );
      }
      let secret: KeyVaultSecret;
      try {
        secret = await clientFor(parsed.vaultUrl).getSecret(
          parsed.name,
          parsed.version ? { version: parsed.version } : {},
        );
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        const code = (error as { code?: string }).code;
        // Not found and disabled say the secret's state: answered like an unbound secret.
        if (
          status === 404 ||
          (status === 403 && /SecretDisabled|disabled/i.test(`${code} ${(error as Error).message}`))
        ) {
          throw notReleased(reference, purpose);
        }
        const transient = status === undefined || status === 408 || status === 429 || status >= 500;
        const reason =
          status === 403
            ? "access denied: grant this app's managed identity the Key Vault Secrets User role on the vault"
            : `failed (${status ?? (error as Error).name})`;
        throw new SecretResolutionError(
          `${purpose.field}: reading Key Vault secret ${reference.keyVaultSecret}: ${reason}.`,
          transient,
        );
      }
      const tags = secret.properties.tags ?? {};
      if (
        secret.value === undefined ||
        !bindingAllows({ role: tags[ROLE_TAG], destination: tags[DESTINATION_TAG] }, purpose)
      ) {
        throw notReleased(reference, purpose);
      }
      return secret.value;
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
