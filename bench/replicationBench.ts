// Benchmark 6: 100,000 rows written on the source after provisioning arrive on the replica with matching checksums.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startBenchStack } from "./benchStack";
import { FigureRecorder } from "./figures";
import { provisionThroughApi } from "./provisionThroughApi";

const ROWS = 100_000;
const BATCH = 5_000;
const POLL_MS = 50;
const TIMEOUT_MS = 300_000;

async function main(): Promise<void> {
  const out = new FigureRecorder("replication");
  const stack = await startBenchStack();
  try {
    const { id } = await provisionThroughApi(stack);
    out.progress(`link ${id} replicating`);
    // Created after linking, so the schema replicates too; lower-case names for the replica's lower_case_table_names=1.
    await stack.source.rootQuery("CREATE DATABASE bench_rows");
    await stack.source.rootQuery(
      "CREATE TABLE bench_rows.items (id INT NOT NULL PRIMARY KEY, customer VARCHAR(64) NOT NULL, amount DECIMAL(10,2) NOT NULL, note VARCHAR(200) NULL) ENGINE=InnoDB",
    );
    const writesStarted = performance.now();
    for (let start = 0; start < ROWS; start += BATCH) {
      const values: unknown[][] = [];
      for (let row = start; row < start + BATCH; row++) {
        values.push([
          row + 1,
          `customer-${row % 997}`,
          ((row * 37) % 100_000) / 100,
          row % 3 === 0 ? null : `note ${row}`,
        ]);
      }
      await stack.source.rootQuery("INSERT INTO bench_rows.items (id, customer, amount, note) VALUES ?", [
        values,
      ]);
    }
    const writesEnded = performance.now();
    let arrived = 0;
    for (;;) {
      const rows = await stack.replica
        .rootQuery<{ n: number }>("SELECT COUNT(*) AS n FROM bench_rows.items")
        .catch(() => [] as { n: number }[]);
      arrived = Number(rows[0]?.n ?? 0);
      if (arrived >= ROWS) break;
      if (performance.now() - writesEnded > TIMEOUT_MS) break;
      await sleep(POLL_MS);
    }
    const caughtUp = performance.now();
    const [sourceSum] = await stack.source.rootQuery<{ Checksum: number | string }>(
      "CHECKSUM TABLE bench_rows.items",
    );
    const [replicaSum] = await stack.replica.rootQuery<{ Checksum: number | string }>(
      "CHECKSUM TABLE bench_rows.items",
    );
    const writeMs = writesEnded - writesStarted;
    out.baseline(
      `the source's own time to commit the ${ROWS} rows (${ROWS / BATCH} multi-row INSERTs of ${BATCH}): ${writeMs.toFixed(0)} ms`,
    );
    out.figure("replication.rowsOnReplica", arrived, "", { target: { min: ROWS } });
    out.figure(
      "replication.checksumsMatch",
      String(sourceSum?.Checksum) === String(replicaSum?.Checksum) ? 1 : 0,
      "",
      {
        target: { min: 1 },
        how: `CHECKSUM TABLE on both servers (source ${String(sourceSum?.Checksum)}, replica ${String(replicaSum?.Checksum)})`,
      },
    );
    out.figure("replication.sourceWriteMs", writeMs, "ms");
    out.figure("replication.catchUpAfterWritesMs", caughtUp - writesEnded, "ms", {
      how: `from the last INSERT's commit until COUNT(*) on the replica reached ${ROWS} (polled every ${POLL_MS} ms)`,
    });
    out.figure("replication.totalToReplicaMs", caughtUp - writesStarted, "ms");
    out.figure("replication.ratioTotalOverSourceWrite", (caughtUp - writesStarted) / writeMs, "x");
  } finally {
    await stack.stop();
  }
  out.write(join(__dirname, "..", "..", "bench", "results", `replication-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
