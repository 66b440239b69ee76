// What registry activities receive: a link's state, and its row with every password field checked to be a reference.
import { z } from "zod";
import { type LinkRecord, type LinkState } from "../../registry/linkRegistry";
import { storedSecretReferenceSchema } from "../../request/secretReference";

// The registry declares LinkState as a type only; `satisfies` keeps this list within it.
export const linkStateSchema = z.enum([
  "provisioning",
  "replicating",
  "failed",
  "removed",
  "rotating",
  "cuttingOver",
  "cutOver",
]) satisfies z.ZodType<LinkState>;

/** The states that hold a link for one operation (a rotation or a cutover). */
export const heldStateSchema = z.enum(["rotating", "cuttingOver"]) satisfies z.ZodType<LinkState>;

/**
 * A row to write: id and state checked, and every password field checked to be a secret reference (a value must never
 * reach Table storage); the other fields pass through as the orchestrator built them.
 */
export const linkRecordInputSchema = z.looseObject({
  id: z.string().min(1),
  state: linkStateSchema,
  adminPassword: storedSecretReferenceSchema,
  replicationPassword: storedSecretReferenceSchema,
  inspectionPassword: storedSecretReferenceSchema.nullable(),
  heartbeat: z.looseObject({ writerPassword: storedSecretReferenceSchema }).nullable(),
}) as unknown as z.ZodType<Omit<LinkRecord, "createdAt" | "updatedAt">>;
