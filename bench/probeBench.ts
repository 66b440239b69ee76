// Benchmark of the health probe: break-to-recorded time at a 5 s interval, and one pass over 10, 200 and 1,000 links (wall time, round trips, activities, writes, memory).
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { startBenchStack } from "./benchStack";
import { FigureRecorder, median } from "./figures";
import { linkClones, provisionThroughApi } from "./provisionThroughApi";
import { runAppProcess } from "./runAppProcess";
import { SCHEDULED_PROBE_INSTANCE, type ProbeOutput } from "../shared/workflow/probeOrchestrator";

const INTERVAL_MS = 5_000;
const BREAKS = 3;
const SIZES = [10, 200, 1000] as const;
const PASSES = 3; // the first records every link's first state; the others are quiet
const BATCH_SIZE = 50; // the app's default HEALTH_PROBE_BATCH_SIZE, set explicitly so the figures' meaning is fixed
const MIB = 1024 * 1024;

type PassDetail = ProbeOutput & { activityExecutions: number; historyEvents: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const out = new FigureRecorder("probe");
  const stack = await startBenchStack({ appSettings: { HEALTH_PROBE_BATCH_SIZE: String(BATCH_SIZE) } });
  try {
    const { id } = await provisionThroughApi(stack);
    out.progress(`stack up, link ${id} provisioned through the API`);
    const probeTable = TableClient.fromConnectionString(stack.azurite.connectionString, "ReplicationProbe", {
      allowInsecureConnection: true,
    });
    const latestTransition = async (): Promise<{ state: string; at: string } | null> => {
      try {
        for await (const row of probeTable.listEntities<{ state: string; at: string }>({
          queryOptions: { filter: `PartitionKey eq '${id}' and RowKey ge 't-' and RowKey lt 't.'` },
        })) {
          return row;
        }
      } catch (error) {
        // Before the first pass the table does not exist yet.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
      return null;
    };

    // The Functions host's scheduler at "*/5 * * * * *", played by an interval on the real clock.
    let passes = 0;
    const timer = setInterval(() => {
      passes += 1;
      void stack.host.fireTimer("healthProbeTimer").catch(() => undefined);
    }, INTERVAL_MS);
    const detections: number[] = [];
    try {
      const waitFor = async (state: string, since: number): Promise<number> => {
        for (;;) {
          const row = await latestTransition();
          if (row?.state === state && new Date(row.at).getTime() >= since - INTERVAL_MS)
            return performance.now();
          if (performance.now() - since > 60_000) throw new Error(`no ${state} transition within 60 s`);
          await sleep(25);
        }
      };
      await waitFor("healthy", performance.now() - 1);
      for (let index = 0; index < BREAKS; index++) {
        // Break at a point of the interval that differs each time.
        await sleep(500 + Math.floor(Math.random() * INTERVAL_MS));
        const brokenAt = performance.now();
        const wall = Date.now();
        await stack.replica.rootQuery("STOP REPLICA SQL_THREAD");
        const seen = await waitFor("broken", wall);
        detections.push(seen - brokenAt);
        await stack.replica.rootQuery("START REPLICA SQL_THREAD");
        await waitFor("healthy", Date.now());
      }
    } finally {
      clearInterval(timer);
      await stack.host.idle();
      await stack.host
        .waitForInstance(SCHEDULED_PROBE_INSTANCE, { timeoutMs: 60_000 })
        .catch(() => undefined);
    }
    out.figure("probe.breakToRecordedMs.max", Math.max(...detections), "ms", {
      target: { max: INTERVAL_MS + 2_000 },
      how: `STOP REPLICA SQL_THREAD on the replica to the transition row in Table storage, probe timer every ${INTERVAL_MS / 1000} s, worst of ${BREAKS} breaks at random points of the interval (all: ${detections.map((ms) => ms.toFixed(0)).join(", ")} ms; ${passes} passes)`,
    });
    out.figure("probe.breakToRecordedMs.median", median(detections), "ms");

    // Each clone is probed over its own session against the same replica process, so that process must accept the
    // connections of the whole fan-out.
    await stack.replica.rootQuery("SET GLOBAL max_connections = 2000");
    const registerLinks = await linkClones(stack, id);
    for (const size of SIZES) {
      await registerLinks(size);
      const result = await runAppProcess({
        appSettings: { ...stack.appSettings, HEALTH_PROBE_BATCH_SIZE: String(BATCH_SIZE) },
        action: { kind: "probePass", repeat: PASSES },
      });
      const details = result.detail as PassDetail[];
      for (const detail of details) {
        if (detail.probed !== size || detail.failures.length > 0 || detail.states.healthy !== size)
          throw new Error(
            `a pass over ${size} links: ${JSON.stringify({ ...detail, transitions: undefined })}`,
          );
      }
      const quiet = details.slice(1);
      const first = details[0]!;
      out.figure(`probe.passMs.links${size}`, median(result.durationsMs.slice(1)), "ms", {
        ...(size === 1000 ? { target: { max: 20_000 } } : {}),
        how: `timer fired to instance ${SCHEDULED_PROBE_INSTANCE} completed, median of ${PASSES - 1} quiet passes in a fresh app process (first pass ${result.durationsMs[0]!.toFixed(0)} ms, ${first.transitionCount} first-sight transitions)`,
      });
      out.figure(`probe.roundTripsPerLink.links${size}`, quiet[0]!.roundTrips / size, "", {
        target: { max: 1 },
        how: "SQL round trips to the replica per probed link (connection handshakes not counted)",
      });
      out.figure(`probe.activityExecutions.links${size}`, quiet[0]!.activityExecutions, "", {
        how: `per pass: 1 plan + 1 per batch of ${BATCH_SIZE}`,
      });
      out.figure(`probe.historyEvents.links${size}`, quiet[0]!.historyEvents, "");
      out.figure(`probe.storageWrites.firstPass.links${size}`, first.writes, "", {
        how: "first pass: every link's first state (2 writes) and first lag sample (2 writes)",
      });
      out.figure(`probe.storageWrites.quietPass.links${size}`, Math.max(...quiet.map((d) => d.writes)), "", {
        target: { max: 0 },
        how: "a pass with no transition and no changed lag sample writes nothing",
      });
      out.figure(`memory.probe.links${size}.peakRssMiB`, result.peakRssBytes / MIB, "MiB", {
        how: `VmHWM of a fresh app process through ${PASSES} passes (idle after host start ${(result.idlePeakRssBytes / MIB).toFixed(0)} MiB)`,
      });
    }
  } finally {
    await stack.stop();
  }
  out.write(join(__dirname, "..", "..", "bench", "results", `probe-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
