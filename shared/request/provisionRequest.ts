// The body of POST /api/replications: validated at the edge, every problem reported at once with its path.
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import { type AppConfig } from "../config/appConfig";
import { type SecretReference, secretReferenceSchema, storedSecretReferenceSchema } from "./secretReference";
import { isEmptyMysqlGtidSet, parseMysqlGtidSet } from "../domain/gtidSets";
import { SYSTEM_SCHEMAS } from "../domain/systemSchemas";
import {
  IGNORE_TABLE_PATTERNS_MAX,
  IGNORE_TABLE_VALUE_MAX_LENGTH,
  invalidIgnorePattern,
} from "./tableFilters";

// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const HOST_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/u;
const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$/;
const BINLOG_FILE = /^[A-Za-z0-9._-]{1,255}$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const mysqlUserName = z
  .string({ message: "must be a string" })
  .min(1, "must not be empty")
  .max(32, "must be at most 32 characters (the MySQL user name limit)")
  .refine((value) => !CONTROL_CHARACTERS.test(value), "must not contain control characters")
  .refine(
    (value) => !/[\u{10000}-\u{10FFFF}]/u.test(value),
    "must not contain characters outside the Basic Multilingual Plane (such as emoji): MySQL keeps user names in utf8mb3, where they become '?' and name another account",
  );

const host = z
  .string({ message: "must be a string" })
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .refine((value) => isIP(value) !== 0 || HOST_NAME.test(value), "must be a DNS host name or an IP address");

export const caCertificate = z
  .string({ message: "must be PEM text" })
  .max(30_000, "must be at most 30,000 characters")
  .refine(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
    (value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value),
    "must be PEM text: no control characters other than line breaks and tabs",
  )
  .superRefine((value, ctx) => {
    const blocks = value.match(PEM_CERTIFICATE);
    if (!blocks || blocks.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "must contain at least one PEM certificate (-----BEGIN CERTIFICATE-----)",
      });
      return;
    }
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: "contains a PEM block that is not a valid X.509 certificate",
        });
        return;
      }
    }
  });

const REPLICA_KINDS = ["single", "flexible"] as const;
const LINKING_METHODS = ["binlogPosition", "gtid"] as const;

/** The replica's outbound IPv4 address, as the DBA looked it up; whether the source's firewall admits it shows at start. */
const ipv4 = z
  .string({ message: "must be a string" })
  .refine((value) => isIP(value) === 4, "must be an IPv4 address like 20.61.12.34");

// eslint-disable-next-line no-control-regex -- NUL is exactly what this rejects
const DATABASE_NAME = /^[^\u0000/\\.`]{1,64}$/u;

/** Issue 18: seed the replica with a copy of the source, then link at the copy's snapshot. */
export const initialLoadSchema = z
  .object({
    databases: z
      .union(
        [
          z.literal("all"),
          z
            .array(
              z
                .string({ message: "must be a database name" })
                .regex(DATABASE_NAME, "must be a database name (1-64 characters, no '/', '\\', '.' or '`')")
                .refine(
                  (name) => !(SYSTEM_SCHEMAS as readonly string[]).includes(name.toLowerCase()),
                  `must not be a system schema (${SYSTEM_SCHEMAS.join(", ")})`,
                ),
            )
            .min(1, "must name at least one database")
            .max(256, "must name at most 256 databases")
            .refine((names) => new Set(names).size === names.length, "must not repeat a database"),
        ],
        { message: 'must be "all" or a list of database names' },
      )
      .default("all"),
    parallelism: z
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be between 1 and 16")
      .max(16, "must be between 1 and 16")
      .default(4),
    existingTables: z
      .enum(["refuse", "replace"], { message: "must be one of: refuse, replace" })
      .default("refuse"),
  })
  .strict();

type SecretField = z.ZodType<SecretReference, unknown>;

/** The source's fields, with the request's reference check or the stored reference shape for `secret`. */
function sourceFields<S extends SecretField>(secret: S) {
  return z.object({
    host,
    port: z
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be between 1 and 65535")
      .max(65_535, "must be between 1 and 65535"),
    replicationUser: mysqlUserName,
    replicationPassword: secret,
    caCertificate: caCertificate.optional(),
    inspectionUser: mysqlUserName.optional(),
    inspectionPassword: secret.optional(),
  });
}

/** The replica's fields, with the request's reference check or the stored reference shape for `secret`. */
function replicaFields<S extends SecretField>(secret: S) {
  return z.object({
    kind: z.enum(REPLICA_KINDS, { message: `must be one of: ${REPLICA_KINDS.join(", ")}` }),
    subscriptionId: z.string({ message: "must be a string" }).regex(GUID, "must be a subscription GUID"),
    resourceGroup: z
      .string({ message: "must be a string" })
      .regex(RESOURCE_GROUP, "must be 1-90 letters, digits, '.', '_', '-', '(' or ')'")
      .refine((value) => !value.endsWith("."), "must not end with a period"),
    serverName: z
      .string({ message: "must be a string" })
      .regex(
        SERVER_NAME,
        "must be 3-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
      ),
    adminUser: mysqlUserName,
    adminPassword: secret,
    outboundAddress: ipv4.optional(),
    resetGtid: z
      .object({
        gtidSet: z
          .string({ message: "must be a string" })
          .max(10_000, "must be at most 10,000 characters")
          .refine(
            isMysqlGtidSet,
            "must be a non-empty MySQL GTID set like 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-16",
          ),
      })
      .strict()
      .optional(),
  });
}

/*
 * The request's parts as the workflow passes them on (activity inputs decode them on entry): the same fields and
 * checks, with secret references checked for their shape (the resolver checks vault and prefix when it resolves).
 * Unknown fields are dropped rather than refused: an orchestrator may pass a whole spec where a part is read.
 */
export const sourceSpecSchema = sourceFields(storedSecretReferenceSchema);
export const replicaSpecSchema = replicaFields(storedSecretReferenceSchema);
export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type ReplicaSpec = z.infer<typeof replicaSpecSchema>;
/** The replica's identity only: what reaching it through Resource Manager needs. */
export const replicaTargetSchema = replicaSpecSchema.pick({
  kind: true,
  subscriptionId: true,
  resourceGroup: true,
  serverName: true,
});
export const linkingMethodSchema = z.enum(LINKING_METHODS, {
  message: `must be one of: ${LINKING_METHODS.join(", ")}`,
});
export const binlogCoordinatesSchema = z.object({
  file: z
    .string({ message: "must be a string" })
    .regex(BINLOG_FILE, "must be a binlog file name like mysql-bin.000042"),
  position: z
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(4, "must be at least 4"),
});
/** filters.ignoreTables: replicate-wild-ignore-table patterns. */
export const ignoreTablesSchema = z
  .array(
    z.string({ message: "must be a string" }).superRefine((pattern, ctx) => {
      const problem = invalidIgnorePattern(pattern);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    { message: "must be a list of db.table patterns" },
  )
  .min(1, "must list at least one db.table pattern")
  .max(IGNORE_TABLE_PATTERNS_MAX, `must list at most ${IGNORE_TABLE_PATTERNS_MAX} patterns`)
  .superRefine((patterns, ctx) => {
    const seen = new Set<string>();
    patterns.forEach((pattern, index) => {
      const key = pattern.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: [index], message: "is listed twice" });
      seen.add(key);
    });
    if (patterns.join(",").length > IGNORE_TABLE_VALUE_MAX_LENGTH)
      ctx.addIssue({
        code: "custom",
        message: `must fit the server parameter replicate_wild_ignore_table: at most ${IGNORE_TABLE_VALUE_MAX_LENGTH} characters joined with commas`,
      });
  });

export function provisionRequestSchema(
  config: Pick<AppConfig, "KEY_VAULT_ALLOWED_HOSTS" | "SECRET_APP_SETTING_PREFIX">,
) {
  const secret = secretReferenceSchema(config);
  return z
    .object({
      source: sourceFields(secret)
        .strict()
        .superRefine((source, ctx) => {
          if ((source.inspectionUser === undefined) !== (source.inspectionPassword === undefined)) {
            ctx.addIssue({
              code: "custom",
              path: [source.inspectionUser === undefined ? "inspectionUser" : "inspectionPassword"],
              message: "inspectionUser and inspectionPassword go together: give both or neither",
            });
          }
        }),
      replica: replicaFields(secret)
        .strict()
        .superRefine((replica, ctx) => {
          if (replica.resetGtid !== undefined && replica.kind !== "flexible") {
            ctx.addIssue({
              code: "custom",
              path: ["resetGtid"],
              message:
                "applies to kind flexible only: Resource Manager's resetGtid action exists for Flexible Server",
            });
          }
          if (replica.outboundAddress !== undefined && replica.kind !== "flexible") {
            ctx.addIssue({
              code: "custom",
              path: ["outboundAddress"],
              message:
                "applies to kind flexible only: a Single Server replica gets a firewall rule for the source instead",
            });
          }
        }),
      linking: linkingMethodSchema.optional(),
      binlog: binlogCoordinatesSchema.strict().optional(),
      filters: z
        .object({
          ignoreTables: ignoreTablesSchema,
        })
        .strict()
        .optional(),
      dryRun: z.boolean({ message: "must be true or false" }).optional(),
      policy: z
        .object({
          skipErrors: z
            .array(
              z
                .object({
                  errno: z
                    .number({ message: "must be a number" })
                    .int("must be a whole number")
                    .min(1000, "must be a MySQL error number")
                    .max(99_999, "must be a MySQL error number"),
                  maxSkips: z
                    .number({ message: "must be a number" })
                    .int("must be a whole number")
                    .min(1, "must be at least 1")
                    .max(1000, "must be at most 1000"),
                })
                .strict(),
            )
            .max(20, "must list at most 20 error numbers"),
        })
        .strict()
        .optional(),
      heartbeat: z
        .object({
          writerUser: mysqlUserName,
          writerPassword: secret,
          database: z
            .string({ message: "must be a string" })
            .regex(/^[A-Za-z0-9_]{1,64}$/, "must be a database name of letters, digits and underscores"),
        })
        .strict()
        .optional(),
      initialLoad: initialLoadSchema.optional(),
    })
    .strict()
    .superRefine((request, ctx) => {
      if (!request.initialLoad) return;
      if (request.source.inspectionUser === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["initialLoad"],
          message:
            "needs source.inspectionUser and source.inspectionPassword: the copy reads the source as that user (RELOAD, REPLICATION CLIENT, SELECT, and BACKUP_ADMIN on MySQL 8.0+)",
        });
      if (request.binlog !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["binlog"],
          message:
            "must not be given with initialLoad: the link starts at the copy's own snapshot coordinates",
        });
      if (request.linking === "gtid")
        ctx.addIssue({
          code: "custom",
          path: ["linking"],
          message:
            "gtid is not available with initialLoad: the link starts at the copy's binlog file/position",
        });
    })
    .refine((request) => !(request.replica.resetGtid && request.linking === "binlogPosition"), {
      path: ["replica", "resetGtid"],
      message: "goes with GTID linking: leave linking out or send gtid",
      when: (payload) => {
        const body = payload.value as { linking?: unknown; replica?: { resetGtid?: unknown } } | null;
        return body?.linking === "binlogPosition" && body.replica?.resetGtid !== undefined;
      },
    });
}

function isMysqlGtidSet(value: string): boolean {
  const text = value.replace(/\s+/g, "");
  if (text === "") return false;
  try {
    return !isEmptyMysqlGtidSet(parseMysqlGtidSet(text));
  } catch {
    return false;
  }
}

export type ProvisionRequest = z.infer<ReturnType<typeof provisionRequestSchema>>;

export interface RequestProblem {
  path: string;
  message: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}

/** Every problem of a parsed body, each with its dotted path ("(body)" for the whole). */
export function describeIssues(error: z.ZodError): RequestProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: "is not a recognised field",
      }));
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [{ path: formatPath(issue.path) || "(body)", message: "is required" }];
    }
    return [{ path: formatPath(issue.path) || "(body)", message: issue.message }];
  });
}
