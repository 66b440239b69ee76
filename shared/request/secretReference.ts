// Secret references: a request names where a password lives (Key Vault secret or app setting), never the password itself.
import { z } from "zod";
import { type AppConfig } from "../config/appConfig";

/**
 * A reference as the workflow carries it (histories, activity inputs, registry rows): its shape only, and never a bare
 * string, which would be a password. Which vaults and settings are allowed is checked at the edge and again by the
 * resolver when it resolves the reference.
 */
export const storedSecretReferenceSchema = z.union([
  z.object({ keyVaultSecret: z.string() }).strict(),
  z.object({ appSetting: z.string() }).strict(),
]);

export type SecretReference = z.infer<typeof storedSecretReferenceSchema>;

const SECRET_REFERENCE_HELP =
  'must be a secret reference, not the password itself: {"keyVaultSecret": "https://<vault>.vault.azure.net/secrets/<name>[/<version>]"} or {"appSetting": "<NAME>"}. Durable Functions stores request data in its history, so passwords are resolved only where they are used.';

const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
const SECRET_VERSION = /^[0-9A-Za-z]{32}$/;

export interface ParsedKeyVaultSecretUri {
  vaultUrl: string;
  name: string;
  version?: string;
}

/** Splits a Key Vault secret URI; returns a reason when it is not one this app accepts. */
export function parseKeyVaultSecretUri(
  uri: string,
  allowedHosts: readonly string[],
): ParsedKeyVaultSecretUri | { problem: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { problem: "must be a URL like https://<vault>.vault.azure.net/secrets/<name>" };
  }
  if (url.protocol !== "https:") return { problem: "must use https" };
  if (url.username || url.password || url.search || url.hash) {
    return { problem: "must not carry credentials, a query or a fragment" };
  }
  const host = url.host.toLowerCase();
  if (!allowedHosts.some((allowed) => allowed.toLowerCase() === host)) {
    return {
      problem:
        allowedHosts.length === 0
          ? "names a vault this app does not accept: no vault is listed in the KEY_VAULT_ALLOWED_HOSTS app setting"
          : `names vault host ${host}, which is not in the KEY_VAULT_ALLOWED_HOSTS app setting (${allowedHosts.join(", ")})`,
    };
  }
  const parts = url.pathname.split("/").filter((part) => part.length > 0);
  const [collection, name, version, ...rest] = parts;
  if (collection !== "secrets" || name === undefined || rest.length > 0) {
    return { problem: "must have the path /secrets/<name> or /secrets/<name>/<version>" };
  }
  if (!SECRET_NAME.test(name))
    return { problem: "has a secret name that is not 1-127 letters, digits or dashes" };
  if (version !== undefined && !SECRET_VERSION.test(version)) {
    return { problem: "has a secret version that is not 32 letters or digits" };
  }
  return { vaultUrl: `https://${url.host}`, name, ...(version !== undefined ? { version } : {}) };
}

export function secretReferenceSchema(
  config: Pick<AppConfig, "KEY_VAULT_ALLOWED_HOSTS" | "SECRET_APP_SETTING_PREFIX">,
) {
  const keyVault = z
    .object({
      keyVaultSecret: z.string().max(2048, "must be at most 2048 characters"),
    })
    .strict()
    .superRefine((value, ctx) => {
      const parsed = parseKeyVaultSecretUri(value.keyVaultSecret, config.KEY_VAULT_ALLOWED_HOSTS);
      if ("problem" in parsed)
        ctx.addIssue({ code: "custom", path: ["keyVaultSecret"], message: parsed.problem });
    });
  const prefix = config.SECRET_APP_SETTING_PREFIX;
  const appSetting = z
    .object({
      appSetting: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be an app setting name (letters, digits, underscores)")
        .refine((name) => name.startsWith(prefix) && name.length > prefix.length, {
          message: `must start with ${prefix} (the app resolves only settings set aside for replication secrets, so a request cannot make it send the app's own credentials to a source)`,
        }),
    })
    .strict();
  return z.unknown().transform((value, ctx): SecretReference => {
    if (typeof value === "string") {
      ctx.addIssue({ code: "custom", message: SECRET_REFERENCE_HELP });
      return z.NEVER;
    }
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    const schema = isObject && "appSetting" in value ? appSetting : keyVault;
    if (!isObject) {
      ctx.addIssue({ code: "custom", message: SECRET_REFERENCE_HELP });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      }
      return z.NEVER;
    }
    return result.data;
  });
}

/** A display form that names where the secret lives and never what it is. */
export function describeSecretReference(reference: SecretReference): string {
  return "keyVaultSecret" in reference
    ? `Key Vault secret ${reference.keyVaultSecret}`
    : `app setting ${reference.appSetting}`;
}
