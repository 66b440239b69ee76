// Health history in Table storage: the last N results per link, newest first.
import type { TableClient } from "@azure/data-tables";
import { ensureTable } from "../registry/linkRegistry";
import { type LinkHealth } from "./linkHealth";

export interface HealthHistory {
  append(health: LinkHealth, keep: number): Promise<void>;
  latest(id: string, count: number): Promise<LinkHealth[]>;
}

/** Row keys sort newest first: the inverted epoch milliseconds, zero-padded, plus a tie-breaker. */
function rowKeyFor(checkedAt: string, sequence: number): string {
  const inverted = 9_999_999_999_999 - new Date(checkedAt).getTime();
  // Within one millisecond (a frozen test clock, or a burst) the later append must still sort first.
  return `${String(inverted).padStart(13, "0")}-${String(999_999 - sequence).padStart(6, "0")}`;
}

export function createHealthHistory(client: TableClient): HealthHistory {
  const ready = ensureTable(client);
  let sequence = 0;
  return {
    async append(health: LinkHealth, keep: number): Promise<void> {
      await ready();
      sequence = (sequence + 1) % 1_000_000;
      await client.createEntity({
        partitionKey: health.id,
        rowKey: rowKeyFor(health.checkedAt, sequence),
        state: health.state,
        checkedAt: health.checkedAt,
        health: JSON.stringify(health),
      });
      let index = 0;
      const stale: string[] = [];
      const entities = client.listEntities<{ rowKey: string }>({
        queryOptions: { filter: `PartitionKey eq '${health.id.replace(/'/g, "''")}'`, select: ["RowKey"] },
      });
      for await (const entity of entities) {
        index += 1;
        if (index > keep) stale.push(entity.rowKey);
      }
      for (const rowKey of stale) {
        await client.deleteEntity(health.id, rowKey).catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        });
      }
    },
    async latest(id: string, count: number): Promise<LinkHealth[]> {
      await ready();
      const results: LinkHealth[] = [];
      const entities = client.listEntities<{ health: string }>({
        queryOptions: { filter: `PartitionKey eq '${id.replace(/'/g, "''")}'` },
      });
      for await (const entity of entities) {
        results.push(JSON.parse(entity.health) as LinkHealth);
        if (results.length >= count) break;
      }
      return results;
    },
  };
}
