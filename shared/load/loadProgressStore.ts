// Live progress of a running initial copy, one small Table row per link: the copy is one activity (one snapshot), so its progress cannot travel in the orchestration's custom status.
import type { TableClient } from "@azure/data-tables";
import { ensureTable } from "../registry/linkRegistry";
import { type LoadProgress } from "./loadTypes";

const PARTITION = "load";
/** At most one write per interval while copying: storage writes grow with time, not with rows. */
const SAVE_INTERVAL_MS = 2_000;

export interface LoadProgressStore {
  /** Records `progress` for the link unless one was recorded less than two seconds ago (the last one always lands). */
  report(id: string, progress: LoadProgress, final?: boolean): Promise<void>;
  read(id: string): Promise<(LoadProgress & { updatedAt: string }) | null>;
}

export function createLoadProgressStore(
  client: TableClient,
  now: () => number = Date.now,
): LoadProgressStore {
  const ready = ensureTable(client);
  const lastSaved = new Map<string, number>();
  return {
    async report(id, progress, final = false) {
      const at = now();
      if (!final && at - (lastSaved.get(id) ?? 0) < SAVE_INTERVAL_MS) return;
      lastSaved.set(id, at);
      await ready();
      await client.upsertEntity(
        {
          partitionKey: PARTITION,
          rowKey: id,
          progress: JSON.stringify(progress),
          updatedAt: new Date(at).toISOString(),
        },
        "Replace",
      );
      if (final) lastSaved.delete(id);
    },
    async read(id) {
      try {
        const entity = await client.getEntity<{ progress: string; updatedAt: string }>(PARTITION, id);
        return { ...(JSON.parse(entity.progress) as LoadProgress), updatedAt: entity.updatedAt };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
    },
  };
}
