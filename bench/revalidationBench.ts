// Benchmark 4 (and half of 5): one scheduled re-validation pass over 1, 50 and 200 registered links, in a fresh app process.
import { join } from "node:path";
import { startBenchStack } from "./benchStack";
import { FigureRecorder, median } from "./figures";
import { linkClones, provisionThroughApi } from "./provisionThroughApi";
import { runAppProcess } from "./runAppProcess";

const SIZES = [1, 50, 200] as const;
const CONCURRENCY = 8; // the app's default REVALIDATION_CONCURRENCY, set explicitly so the figure's meaning is fixed
const PASSES = 4; // the first is cold (table creation, tokens) and is reported apart
const MIB = 1024 * 1024;

async function main(): Promise<void> {
  const out = new FigureRecorder("revalidation");
  const stack = await startBenchStack();
  try {
    const { id } = await provisionThroughApi(stack);
    out.progress(`stack up, link ${id} provisioned through the API`);
    const registerLinks = await linkClones(stack, id);
    const appSettings = { ...stack.appSettings, REVALIDATION_CONCURRENCY: String(CONCURRENCY) };
    const times = new Map<number, number>();
    let peak = 0;
    let idle = 0;
    for (const size of SIZES) {
      await registerLinks(size);
      const result = await runAppProcess({
        appSettings,
        action: { kind: "revalidationPass", repeat: PASSES },
      });
      const detail = result.detail as { links: number; failures: unknown[] };
      if (detail.links !== size || detail.failures.length > 0) {
        throw new Error(
          `a pass over ${size} links checked ${detail.links}, failures ${JSON.stringify(detail.failures)}`,
        );
      }
      const warm = median(result.durationsMs.slice(1));
      times.set(size, warm);
      peak = result.peakRssBytes;
      idle = result.idlePeakRssBytes;
      out.figure(`revalidation.passMs.links${size}`, warm, "ms", {
        how: `timer fired to instance ${"revalidation-all-links"} completed, median of ${PASSES - 1} warm passes in a fresh app process (cold pass ${result.durationsMs[0]!.toFixed(0)} ms)`,
      });
      out.figure(`revalidation.perLinkMs.links${size}`, warm / size, "ms");
    }
    const single = times.get(1)!;
    out.baseline(
      `the single-link pass: ${single.toFixed(0)} ms; efficiency(N) = N x t1 / (tN x min(N, ${CONCURRENCY})), 1 = perfect use of the fan-out width`,
    );
    for (const size of SIZES.slice(1)) {
      const tN = times.get(size)!;
      out.figure(`revalidation.speedup.links${size}`, (size * single) / tN, "x", { how: "N x t1 / tN" });
      out.figure(
        `revalidation.efficiency.links${size}`,
        (size * single) / (tN * Math.min(size, CONCURRENCY)),
        "",
      );
    }
    out.baseline(`peak RSS of the same app process idle after host start: ${(idle / MIB).toFixed(1)} MiB`);
    out.figure("memory.revalidation200.idlePeakRssMiB", idle / MIB, "MiB");
    out.figure("memory.revalidation200.peakRssMiB", peak / MIB, "MiB", {
      target: { max: 256 },
      how: `VmHWM of a fresh child process running the app through ${PASSES} passes over 200 links`,
    });
  } finally {
    await stack.stop();
  }
  out.write(join(__dirname, "..", "..", "bench", "results", `revalidation-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
