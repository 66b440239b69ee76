// Activities that hold a link for one operation: claim it under the row's ETag, then release it with the outcome.
import { z } from "zod";
import { activity } from "./activityHandler";
import { heldStateSchema, linkRecordResultSchema, linkStateSchema } from "./registryInputs";
import { type WorkflowDependencies } from "../dependencies";
import { type LinkRecord, type LinkState } from "../../registry/linkRegistry";
import { storedSecretReferenceSchema } from "../../request/secretReference";
import { caCertificate } from "../../request/provisionRequest";

/** A rotation's changes as recorded before they named the source: its new password reference and CA at top level. */
function nestFlatSourceChanges(value: unknown): unknown {
  if (typeof value !== "object" || value === null || "source" in value) return value;
  const { replicationPassword, caCertificate: ca, ...rest } = value as Record<string, unknown>;
  if (replicationPassword === undefined && ca === undefined) return value;
  return {
    ...rest,
    source: {
      ...(replicationPassword === undefined ? {} : { replicationPassword }),
      ...(ca === undefined ? {} : { caCertificate: ca }),
    },
  };
}

export const CLAIM_LINK_ACTIVITY = "claimLink";
export const RELEASE_LINK_ACTIVITY = "releaseLink";

export const claimLinkInputSchema = z.object({
  id: z.string().min(1),
  /** The state that marks the link as held by this operation. */
  holdAs: heldStateSchema,
  at: z.string().min(1),
});
export type ClaimLinkInput = z.infer<typeof claimLinkInputSchema>;

/** The row as it was when claimed (references only, no secret values), or why it could not be claimed. */
export type ClaimLinkResult =
  { claimed: true; record: LinkRecord } | { claimed: false; state: LinkState | null };

/** Checks the tag and the claimed row's fields the workflow branches on; the rest pass through as the registry wrote them. */
export const claimLinkResultSchema = z.discriminatedUnion("claimed", [
  z.object({ claimed: z.literal(true), record: linkRecordResultSchema }),
  z.object({ claimed: z.literal(false), state: z.string().nullable() }),
]) as unknown as z.ZodType<ClaimLinkResult>;

export const releaseLinkInputSchema = z.object({
  id: z.string().min(1),
  /** Only a row this operation still holds is changed: a teardown that took over wins. */
  heldAs: heldStateSchema,
  at: z.string().min(1),
  state: linkStateSchema,
  lastError: z.string().nullable(),
  /** Fields the operation changed (the source's password reference and CA, coordinates); never secret values. */
  changes: z
    .preprocess(
      nestFlatSourceChanges,
      z
        .object({
          /** caCertificate null: the link no longer uses a CA of its own. */
          source: z
            .object({
              replicationPassword: storedSecretReferenceSchema,
              caCertificate: caCertificate.nullable(),
            })
            .partial(),
          binlogFile: z.string().nullable(),
          binlogPosition: z.number().nullable(),
          firewallRuleName: z.string().nullable(),
        })
        .partial(),
    )
    .optional(),
});
export type ReleaseLinkInput = z.infer<typeof releaseLinkInputSchema>;

export function createClaimLinkActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: CLAIM_LINK_ACTIVITY,
    input: claimLinkInputSchema,
    run: async (input): Promise<ClaimLinkResult> => {
      let seen: LinkState | null = null;
      // Compare-and-set on the ETag: of two operations racing for the same link, exactly one sees `replicating`.
      const written = await deps().registry.update(input.id, (record) => {
        seen = record.state;
        // A replay after a crash finds its own claim: already in the wanted state is success.
        if (record.state !== "replicating" && record.state !== input.holdAs) return null;
        return { ...record, state: input.holdAs, updatedAt: input.at };
      });
      return written ? { claimed: true, record: written } : { claimed: false, state: seen };
    },
  });
}

export function createReleaseLinkActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: RELEASE_LINK_ACTIVITY,
    input: releaseLinkInputSchema,
    run: async (input): Promise<LinkState | null> => {
      const { source: sourceChanges, ...changes } = input.changes ?? {};
      const written = await deps().registry.update(input.id, (record) => {
        if (record.state !== input.heldAs) return null;
        return {
          ...record,
          ...changes,
          source: sourceChanges ? changedSource(record.source, sourceChanges) : record.source,
          state: input.state,
          lastError: input.lastError,
          updatedAt: input.at,
        };
      });
      return written?.state ?? null;
    },
  });
}

function changedSource(
  source: LinkRecord["source"],
  changes: NonNullable<NonNullable<ReleaseLinkInput["changes"]>["source"]>,
): LinkRecord["source"] {
  const { caCertificate: _caCertificate, ...withoutCa } = source;
  const ca = changes.caCertificate === undefined ? source.caCertificate : changes.caCertificate;
  return {
    ...withoutCa,
    ...(changes.replicationPassword ? { replicationPassword: changes.replicationPassword } : {}),
    ...(ca ? { caCertificate: ca } : {}),
  };
}
