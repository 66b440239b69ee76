// Benchmark 2: POST to replicating through the app against a plain script making the same calls; history and activity counts.
import { join } from "node:path";
import { linkIdFor } from "../shared/workflow/provisionTypes";
import { startBenchStack } from "./benchStack";
import { FigureRecorder, median, timed } from "./figures";
import { createProvisioningFloor } from "./provisioningFloor";
import { provisionThroughApi, registryTable, resetLink } from "./provisionThroughApi";

const ROUNDS = 4;

async function main(): Promise<void> {
  const out = new FigureRecorder("provisioning");
  const stack = await startBenchStack();
  try {
    out.progress("stack up");
    const id = linkIdFor(stack.exampleRequest().replica);
    const registry = registryTable(stack);
    const floorTable = registryTable(stack, "BenchFloorLinks");
    const floor = createProvisioningFloor(stack, floorTable);

    // Round 0 warms both (tokens, TLS, table creation, JIT) and is not counted; it gives the history figures.
    const before = stack.host.stats().activityExecutions;
    const first = await provisionThroughApi(stack);
    const stats = stack.host.stats();
    const activityExecutions = stats.activityExecutions - before;
    const historyEvents = stats.historyEventsByInstance[first.id] ?? Number.NaN;
    await resetLink(stack, id, registry);
    await floor.run(id);
    await resetLink(stack, id, floorTable);

    const app: number[] = [];
    const plain: number[] = [];
    for (let round = 1; round < ROUNDS; round++) {
      // Alternating, so drift in the machine's speed hits both alike.
      app.push((await provisionThroughApi(stack)).ms);
      await resetLink(stack, id, registry);
      plain.push((await timed(() => floor.run(id))).ms);
      await resetLink(stack, id, floorTable);
    }
    const appMs = median(app);
    const floorMs = median(plain);
    out.baseline(
      `a plain script making the same Key Vault, SQL, Resource Manager and Table calls in sequence, no Durable: ${floorMs.toFixed(0)} ms (runs ${plain.map((ms) => ms.toFixed(0)).join(", ")})`,
    );
    out.figure("provisioning.appMs", appMs, "ms", {
      how: `POST /api/replications to the orchestration's completion in state replicating, median of ${ROUNDS - 1} after a warm-up (runs ${app.map((ms) => ms.toFixed(0)).join(", ")})`,
    });
    out.figure("provisioning.floorMs", floorMs, "ms");
    out.figure("provisioning.ratioAppOverFloor", appMs / floorMs, "x", { target: { max: 1.3 } });
    out.figure("provisioning.historyEvents", historyEvents, "", {
      target: { max: 40 },
      how: "host.stats().historyEventsByInstance of one happy-path provisioning instance",
    });
    out.figure("provisioning.activityExecutions", activityExecutions, "", {
      target: { max: 10 },
      how: "host.stats().activityExecutions before and after one happy-path provisioning",
    });
  } finally {
    await stack.stop();
  }
  out.write(join(__dirname, "..", "..", "bench", "results", `provisioning-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
