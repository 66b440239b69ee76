// Activities that hold a link for one operation: claim it under the row's ETag, then release it with the outcome.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { type WorkflowDependencies } from "../dependencies";
import { type LinkRecord, type LinkState } from "../../registry/linkRegistry";

export const CLAIM_LINK_ACTIVITY = "claimLink";
export const RELEASE_LINK_ACTIVITY = "releaseLink";

export interface ClaimLinkInput {
  id: string;
  /** The state that marks the link as held by this operation. */
  holdAs: Extract<LinkState, "rotating" | "cuttingOver">;
  at: string;
}

/** The row as it was when claimed (references only, no secret values), or why it could not be claimed. */
export type ClaimLinkResult =
  { claimed: true; record: LinkRecord } | { claimed: false; state: LinkState | null };

/** Checks the tag and that a claimed row has an id; the row's other fields pass through as the registry wrote them. */
export const claimLinkResultSchema = z.discriminatedUnion("claimed", [
  z.object({ claimed: z.literal(true), record: z.looseObject({ id: z.string() }) }),
  z.object({ claimed: z.literal(false), state: z.string().nullable() }),
]) as unknown as z.ZodType<ClaimLinkResult>;

export interface ReleaseLinkInput {
  id: string;
  /** Only a row this operation still holds is changed: a teardown that took over wins. */
  heldAs: Extract<LinkState, "rotating" | "cuttingOver">;
  at: string;
  state: LinkState;
  lastError: string | null;
  /** Fields the operation changed (secret references, CA, coordinates); never secret values. */
  changes?: Partial<
    Pick<
      LinkRecord,
      "replicationPassword" | "caCertificate" | "binlogFile" | "binlogPosition" | "firewallRuleName"
    >
  >;
}

export function createClaimLinkActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<ClaimLinkInput, ClaimLinkResult> {
  return async (input: ClaimLinkInput): Promise<ClaimLinkResult> => {
    let seen: LinkState | null = null;
    // Compare-and-set on the ETag: of two operations racing for the same link, exactly one sees `replicating`.
    const written = await deps().registry.update(input.id, (record) => {
      seen = record.state;
      // A replay after a crash finds its own claim: already in the wanted state is success.
      if (record.state !== "replicating" && record.state !== input.holdAs) return null;
      return { ...record, state: input.holdAs, updatedAt: input.at };
    });
    return written ? { claimed: true, record: written } : { claimed: false, state: seen };
  };
}

export function createReleaseLinkActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<ReleaseLinkInput, LinkState | null> {
  return async (input: ReleaseLinkInput): Promise<LinkState | null> => {
    const written = await deps().registry.update(input.id, (record) => {
      if (record.state !== input.heldAs) return null;
      return {
        ...record,
        ...(input.changes ?? {}),
        state: input.state,
        lastError: input.lastError,
        updatedAt: input.at,
      };
    });
    return written?.state ?? null;
  };
}
