// The bodies of PATCH /api/replications/{id} (rotation) and POST /api/replications/{id}/cutover, validated at the edge.
import { z } from "zod";
import { type AppConfig } from "../config/appConfig";
import { secretReferenceSchema } from "./secretReference";
import { caCertificate } from "./provisionRequest";

/** `db.table` of identifier characters: CHECKSUM TABLE takes identifiers, which cannot be bound. */
const TABLE_NAME = /^[A-Za-z0-9_$]{1,64}\.[A-Za-z0-9_$]{1,64}$/;

export function rotationRequestSchema(
  config: Pick<AppConfig, "KEY_VAULT_ALLOWED_HOSTS" | "SECRET_APP_SETTING_PREFIX">,
) {
  return z
    .object({
      replicationPassword: secretReferenceSchema(config).optional(),
      caCertificate: caCertificate.optional(),
      dryRun: z.boolean({ message: "must be true or false" }).optional(),
    })
    .strict()
    .refine((body) => body.replicationPassword !== undefined || body.caCertificate !== undefined, {
      path: ["replicationPassword"],
      message: "give a new replicationPassword reference, a new caCertificate, or both",
    });
}

export const cutoverRequestSchema = z
  .object({
    requireSourceReadOnly: z.boolean({ message: "must be true or false" }).default(true),
    catchUpTimeoutSeconds: z
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(86_400, "must be at most 86400 (a day)")
      .default(600),
    maxLagSeconds: z
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be at least 0")
      .max(86_400, "must be at most 86400")
      .default(300),
    checksumTables: z
      .array(
        z
          .string({ message: "must be a string" })
          .regex(TABLE_NAME, "must be db.table (letters, digits, _ and $)"),
      )
      .max(50, "must list at most 50 tables")
      .default([]),
    dryRun: z.boolean({ message: "must be true or false" }).optional(),
  })
  .strict();
