// Activity: write the link's row in the registry (Table storage); references only, never secret values.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { type WorkflowDependencies } from "../dependencies";
import { type LinkRecord } from "../../registry/linkRegistry";

export const RECORD_LINK_ACTIVITY = "recordLink";

export interface RecordLinkInput {
  record: Omit<LinkRecord, "createdAt" | "updatedAt">;
  /** The orchestration's deterministic time, so a replayed write stores the same row. */
  at: string;
}

/** The registry write returns nothing: null (an undefined activity result is stored as null). */
export const recordLinkResultSchema = z.null();

export function createRecordLinkActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<RecordLinkInput, null> {
  return async (input: RecordLinkInput): Promise<null> => {
    const { registry } = deps();
    const existing = await registry.get(input.record.id);
    await registry.upsert({
      ...input.record,
      createdAt: existing?.createdAt ?? input.at,
      updatedAt: input.at,
    });
    return null;
  };
}
