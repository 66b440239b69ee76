// The app's settings: read from the environment once, validated with zod, every problem named by setting.
import { z } from "zod";

const booleanSetting = (defaultValue: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
    .default(defaultValue ? "true" : "false")
    .transform((value) => value === "true" || value === "1" || value === "yes");

const csvSetting = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );

const positiveInt = (defaultValue: number, max: number) =>
  z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(max, `must be at most ${max}`)
    .default(defaultValue);

/** A duration in seconds that may be fractional (a poll interval short enough for a local run, long for Azure). */
const seconds = (defaultValue: number, min: number, max: number) =>
  z.coerce
    .number({ message: "must be a number of seconds" })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(defaultValue);

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, "must be host:port");

const addressOverrides = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === "") return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: 'must be JSON like {"server.mysql.database.azure.com":"10.0.0.4:3306"}',
      });
      return z.NEVER;
    }
    const result = z.record(z.string().min(1), hostPort).safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: "custom", message: "every value must be host:port" });
      return z.NEVER;
    }
    return Object.fromEntries(Object.entries(result.data).map(([k, v]) => [k.toLowerCase(), v]));
  });

/** A secret reference held in a setting, as JSON: {"keyVaultSecret": "https://..."} or {"appSetting": "NAME"}. */
const secretReferenceSetting = z
  .string()
  .optional()
  .transform((value, ctx): { keyVaultSecret: string } | { appSetting: string } | undefined => {
    if (value === undefined || value.trim() === "") return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    const result = z
      .union([
        z.strictObject({ keyVaultSecret: z.string().min(1) }),
        z.strictObject({ appSetting: z.string().min(1) }),
      ])
      .safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({
        code: "custom",
        message:
          'must be a secret reference as JSON: {"keyVaultSecret":"https://..."} or {"appSetting":"NAME"}',
      });
      return z.NEVER;
    }
    return result.data;
  });

const SINGLE_SERVER_TIERS = ["Basic", "GeneralPurpose", "MemoryOptimized"] as const;
const FLEXIBLE_SERVER_TIERS = ["Burstable", "GeneralPurpose", "MemoryOptimized"] as const;

const tierList = <T extends readonly [string, ...string[]]>(allowed: T, defaultValue: string) =>
  csvSetting(defaultValue).pipe(
    z.array(z.enum(allowed, { message: `each tier must be one of ${allowed.join(", ")}` })),
  );

export const appConfigSchema = z.object({
  ARM_LRO_POLL_INTERVAL_MS: positiveInt(2_000, 60_000),
  ARM_ENDPOINT: z
    .url({ protocol: /^https$/, message: "must be an https URL" })
    .default("https://management.azure.com"),
  AZURE_AUTHORITY_HOST: z.url({ protocol: /^https$/, message: "must be an https URL" }).optional(),
  ALLOW_PRIVATE_SOURCE_ADDRESSES: booleanSetting(false),
  REPLICA_ADDRESS_OVERRIDES: addressOverrides,
  REPLICA_TLS_CA_FILE: z.string().min(1).optional(),
  SINGLE_SERVER_ALLOWED_TIERS: tierList(SINGLE_SERVER_TIERS, "GeneralPurpose,MemoryOptimized"),
  FLEXIBLE_SERVER_ALLOWED_TIERS: tierList(FLEXIBLE_SERVER_TIERS, "GeneralPurpose,MemoryOptimized"),
  KEY_VAULT_ALLOWED_HOSTS: csvSetting("").pipe(
    z.array(
      z
        .string()
        .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "each entry must be a host name, optionally with :port"),
    ),
  ),
  SECRET_APP_SETTING_PREFIX: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a valid setting name prefix")
    .default("REPLICATION_SECRET_"),
  REGISTRY_TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "must be 3-63 letters or digits, starting with a letter")
    .default("ReplicationLinks"),
  HEALTH_TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "must be 3-63 letters or digits, starting with a letter")
    .default("ReplicationHealth"),
  AzureWebJobsStorage: z.string().optional(),
  AzureWebJobsStorage__accountName: z.string().optional(),
  AzureWebJobsStorage__tableServiceUri: z.url().optional(),
  AzureWebJobsStorage__clientId: z.string().optional(),
  AZURE_CLIENT_ID: z.string().optional(),
  START_VERIFY_BUDGET_SECONDS: positiveInt(300, 86_400),
  START_VERIFY_FIRST_INTERVAL_SECONDS: seconds(2, 0.1, 3_600),
  MYSQL_CONNECT_TIMEOUT_SECONDS: positiveInt(10, 120),
  REVALIDATION_SCHEDULE: z.string().default("0 */15 * * * *"),
  REVALIDATION_CONCURRENCY: positiveInt(8, 100),
  HEALTH_HISTORY_LENGTH: positiveInt(20, 1000),
  HEARTBEAT_LAG_THRESHOLD_SECONDS: positiveInt(300, 604_800),
  // The health probe (issue 16): cheap, frequent, one round trip per link; re-validation keeps drift and recovery.
  HEALTH_PROBE_SCHEDULE: z.string().default("0 * * * * *"),
  HEALTH_PROBE_BATCH_SIZE: positiveInt(50, 1000),
  // 4, not 10: every batch runs at once, so this times the batch count is the sessions open together (bench: 1,000
  // links peak at 535 MiB with 4, 831 MiB with 10, in the same 3.0 s).
  HEALTH_PROBE_CONCURRENCY: positiveInt(4, 100),
  HEALTH_PROBE_LAG_THRESHOLD_SECONDS: positiveInt(300, 604_800),
  HEALTH_PROBE_SAMPLE_INTERVAL_SECONDS: positiveInt(300, 86_400),
  PROBE_TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "must be 3-63 letters or digits, starting with a letter")
    .default("ReplicationProbe"),
  ALERT_WEBHOOK_URL: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()))
    .pipe(z.url({ protocol: /^https$/, message: "must be an https URL" }).optional()),
  ALERT_WEBHOOK_SECRET: secretReferenceSetting,
});

export type AppConfig = z.infer<typeof appConfigSchema>;

/** Raised at startup when a setting is missing or malformed; the message names every bad setting. */
class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

export function parseAppConfig(env: Record<string, string | undefined>): AppConfig {
  const result = appConfigSchema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".") || "(settings)"} ${issue.message}`);
  // Checked outside the schema so it is reported together with every other problem.
  if (
    !env.AzureWebJobsStorage &&
    !env.AzureWebJobsStorage__accountName &&
    !env.AzureWebJobsStorage__tableServiceUri
  ) {
    problems.push(
      "AzureWebJobsStorage is required: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__accountName (managed identity)",
    );
  }
  if (result.success && result.data.ALERT_WEBHOOK_URL && !result.data.ALERT_WEBHOOK_SECRET) {
    problems.push(
      "ALERT_WEBHOOK_SECRET is required with ALERT_WEBHOOK_URL: deliveries are signed (HMAC-SHA256) with that secret",
    );
  }
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigurationError(`Invalid app settings: ${problems.join("; ")}`);
}

let cached: AppConfig | undefined;

/** The validated settings of this process, parsed on first use and kept. */
export function appConfig(): AppConfig {
  cached ??= parseAppConfig(process.env);
  return cached;
}

/** The start-and-verify timing a provisioning or a rotation runs with: the API reads it here and puts it in the input. */
export function startVerifyTiming(config: AppConfig) {
  return {
    verifyBudgetSeconds: config.START_VERIFY_BUDGET_SECONDS,
    verifyFirstIntervalSeconds: config.START_VERIFY_FIRST_INTERVAL_SECONDS,
  };
}
