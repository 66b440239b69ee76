// Polls the replica's replication status until a condition holds, for tests and the sandbox (replication is asynchronous by nature).
import { readReplicationStatus, type ReplicationStatus } from "./replicationStatus";
import { type Connection } from "mysql2/promise";

export interface WaitOptions {
  /** Default 20 000. */
  timeoutMs?: number;
  /** Default 50. */
  intervalMs?: number;
}

/** Resolves with the first status that satisfies `condition`; rejects with the last status seen on timeout. */
export async function waitForReplicationStatus(
  connection: Pick<Connection, "query">,
  condition: (status: ReplicationStatus | null) => boolean,
  options: WaitOptions = {},
): Promise<ReplicationStatus | null> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const status = await readReplicationStatus(connection);
    if (condition(status)) return status;
    if (Date.now() > deadline) {
      const { raw: _raw, ...summary } = status ?? { raw: undefined };
      throw new Error(
        `replication status did not reach the expected state; last seen: ${JSON.stringify(summary)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
