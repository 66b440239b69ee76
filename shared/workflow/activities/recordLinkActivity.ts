// Activity: write the link's row in the registry (Table storage); references only, never secret values.
import { z } from "zod";
import { activity } from "./activityHandler";
import { linkRecordInputSchema } from "./registryInputs";
import { type WorkflowDependencies } from "../dependencies";

export const RECORD_LINK_ACTIVITY = "recordLink";

export const recordLinkInputSchema = z.object({
  record: linkRecordInputSchema,
  /** The orchestration's deterministic time, so a replayed write stores the same row. */
  at: z.string().min(1),
});
export type RecordLinkInput = z.infer<typeof recordLinkInputSchema>;

/** The registry write returns nothing: null (an undefined activity result is stored as null). */
export const recordLinkResultSchema = z.null();

export function createRecordLinkActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: RECORD_LINK_ACTIVITY,
    input: recordLinkInputSchema,
    run: async (input): Promise<null> => {
      const { registry } = deps();
      const existing = await registry.get(input.record.id);
      await registry.upsert({
        ...input.record,
        createdAt: existing?.createdAt ?? input.at,
        updatedAt: input.at,
      });
      return null;
    },
  });
}
