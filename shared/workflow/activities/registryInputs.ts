// What registry activities receive and return: a link's state, and its row with every password field checked to be a reference.
import { z } from "zod";
import {
  type FlatLinkRecord,
  type LinkRecord,
  type LinkState,
  nestLinkRecord,
} from "../../registry/linkRegistry";
import { storedSecretReferenceSchema } from "../../request/secretReference";
import { replicaSpecSchema, sourceSpecSchema } from "../../request/provisionRequest";

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
 * Histories recorded before the record embedded the request's `source` and `replica` parts hold it flat, as the row
 * still is: such a record (a loadLink or claimLink result replayed, a recordLink input still queued) is put into the
 * current shape before it is checked, so those instances replay and finish on this version.
 */
function nestFlatRecord(value: unknown): unknown {
  if (typeof value !== "object" || value === null || "source" in value || !("sourceHost" in value))
    return value;
  return nestLinkRecord(value as FlatLinkRecord);
}

/**
 * A row to write: id and state checked, its source and replica parts checked as the request's (every password field a
 * secret reference: a value must never reach Table storage); the other fields pass through as the orchestrator built
 * them.
 */
export const linkRecordInputSchema = z.preprocess(
  nestFlatRecord,
  z.looseObject({
    id: z.string().min(1),
    state: linkStateSchema,
    source: sourceSpecSchema,
    replica: replicaSpecSchema.omit({ resetGtid: true }),
    heartbeat: z.looseObject({ writerPassword: storedSecretReferenceSchema }).nullable(),
  }),
) as unknown as z.ZodType<Omit<LinkRecord, "createdAt" | "updatedAt">>;

/** A row an activity returns: checks the fields the workflow branches on; the rest pass through as the registry wrote them. */
export const linkRecordResultSchema = z.preprocess(
  nestFlatRecord,
  z.looseObject({ id: z.string(), state: z.string(), source: z.looseObject({}), replica: z.looseObject({}) }),
) as unknown as z.ZodType<LinkRecord>;
