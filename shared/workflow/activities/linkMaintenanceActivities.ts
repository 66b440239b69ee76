// Activities of re-validation and teardown: list links, re-validate one, load one, set its state.
import { z } from "zod";
import { activity } from "./activityHandler";
import { linkStateSchema } from "./registryInputs";
import { type WorkflowDependencies } from "../dependencies";
import { type LinkRecord } from "../../registry/linkRegistry";
import { type LinkHealth, summariseHealth } from "../../health/linkHealth";
import { revalidateLink } from "../../health/revalidateLink";
import { isTransientServiceError } from "../../errors/serviceErrors";

export const LIST_ACTIVE_LINKS_ACTIVITY = "listActiveLinks";
export const REVALIDATE_LINK_ACTIVITY = "revalidateLink";
export const LOAD_LINK_ACTIVITY = "loadLink";
export const SET_LINK_STATE_ACTIVITY = "setLinkState";

/** Takes no input: whatever the host passes (null) is not read. */
export const listActiveLinksInputSchema = z.unknown();

export const revalidateLinkInputSchema = z.object({ id: z.string().min(1), checkedAt: z.string().min(1) });
export type RevalidateLinkInput = z.infer<typeof revalidateLinkInputSchema>;

/** The link's id. */
export const loadLinkInputSchema = z.string().min(1);

/** A link that is not active any more is not checked; a checked one carries its health summary. */
export const revalidateLinkResultSchema = z.discriminatedUnion("checked", [
  z.object({ id: z.string(), checked: z.literal(false), error: z.string().optional() }),
  z.object({
    id: z.string(),
    checked: z.literal(true),
    state: z.enum(["healthy", "degraded", "broken", "unknown"]),
    checkedAt: z.string(),
    secondsBehindSource: z.number().nullable(),
    driftCodes: z.array(z.string()),
  }),
]);
export type RevalidateLinkResult = z.infer<typeof revalidateLinkResultSchema>;

export const setLinkStateInputSchema = z.object({
  id: z.string().min(1),
  state: linkStateSchema,
  at: z.string().min(1),
  lastError: z.string().nullable(),
});
export type SetLinkStateInput = z.infer<typeof setLinkStateInputSchema>;

export function createListActiveLinksActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: LIST_ACTIVE_LINKS_ACTIVITY,
    input: listActiveLinksInputSchema,
    run: async (): Promise<string[]> => {
      const links = await deps().registry.list();
      return links.filter((link) => link.state === "replicating").map((link) => link.id);
    },
  });
}

export function createRevalidateLinkActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: REVALIDATE_LINK_ACTIVITY,
    input: revalidateLinkInputSchema,
    run: async (input, context): Promise<RevalidateLinkResult> => {
      let health: LinkHealth | null;
      try {
        health = await revalidateLink(deps(), input.id, input.checkedAt);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        context.log(`[${input.id}] re-validation failed: ${message}`);
        // Transient (Table storage or Resource Manager throttled, down, unreachable): thrown, so the orchestrator's
        // retry policy runs the pass again; the orchestrator reads each task's own outcome, so one link retried or
        // failed does not cost the batch's other results. Permanent: reported for this link.
        if (isTransientServiceError(error)) throw error;
        return { id: input.id, checked: false, error: message };
      }
      // Every recovery action is logged (App Insights keeps it), including the event a skip skipped.
      for (const action of health?.recovery ?? []) {
        context.log(`[${input.id}] recovery ${action.action} ${action.outcome}: ${action.detail}`);
      }
      return health
        ? { id: input.id, checked: true, ...summariseHealth(health) }
        : { id: input.id, checked: false };
    },
  });
}

/** The registry row, which holds references only: safe to pass through the orchestration. */
export function createLoadLinkActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: LOAD_LINK_ACTIVITY,
    input: loadLinkInputSchema,
    run: (id): Promise<LinkRecord | null> => deps().registry.get(id),
  });
}

export function createSetLinkStateActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: SET_LINK_STATE_ACTIVITY,
    input: setLinkStateInputSchema,
    run: async (input): Promise<null> => {
      // A teardown's outcome wins over any concurrent write: on a conflict it is re-applied to the fresh row.
      await deps().registry.update(input.id, (record) => ({
        ...record,
        state: input.state,
        lastError: input.lastError,
        updatedAt: input.at,
      }));
      return null;
    },
  });
}
