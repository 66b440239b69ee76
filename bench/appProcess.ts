// A separate Node process running only the app on the local durable host, so its peak memory is the app's own.
import { readFileSync } from "node:fs";
import { LocalHost } from "../dev/host/localHost";
import { SCHEDULED_REVALIDATION_INSTANCE } from "../shared/workflow/revalidationOrchestrator";
import { SCHEDULED_PROBE_INSTANCE } from "../shared/workflow/probeOrchestrator";
import { appFunctionModules } from "./benchStack";

export type AppAction =
  | { kind: "dryRun"; body: unknown; repeat: number }
  | { kind: "revalidationPass"; repeat: number }
  | { kind: "probePass"; repeat: number };

export interface AppProcessRequest {
  appSettings: Record<string, string>;
  action: AppAction;
}

export interface AppProcessResult {
  /** Duration of each repetition of the action, in order (the first one runs cold). */
  durationsMs: number[];
  /** Peak resident set size after the host started and before the action: the idle app. */
  idlePeakRssBytes: number;
  /** Peak resident set size over the whole process life, read after the action. */
  peakRssBytes: number;
  detail: unknown;
}

/** VmHWM from /proc (Linux), else the kernel's maxrss from getrusage; both are peaks, not current values. */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function run(request: AppProcessRequest): Promise<AppProcessResult> {
  const host = await LocalHost.start({
    functionModules: appFunctionModules(),
    appSettings: request.appSettings,
    log: () => undefined,
  });
  try {
    const idlePeakRssBytes = peakRssBytes();
    const durationsMs: number[] = [];
    let detail: unknown = null;
    for (let index = 0; index < request.action.repeat; index++) {
      const started = performance.now();
      if (request.action.kind === "dryRun") {
        const response = await host.invokeHttp({
          method: "POST",
          path: "/api/replications",
          body: request.action.body,
        });
        if (response.status !== 200)
          throw new Error(`dry run answered ${response.status}: ${response.body.slice(0, 500)}`);
        detail = { wouldSucceed: response.json<{ wouldSucceed: boolean }>().wouldSucceed };
      } else if (request.action.kind === "probePass") {
        const activitiesBefore = host.stats().activityExecutions;
        await host.fireTimer("healthProbeTimer");
        const final = await host.waitForInstance(SCHEDULED_PROBE_INSTANCE, { timeoutMs: 300_000 });
        if (final.runtimeStatus !== "Completed")
          throw new Error(`the probe pass ended ${final.runtimeStatus}`);
        const passes = (detail as unknown[] | null) ?? [];
        passes.push({
          ...(final.output as object),
          activityExecutions: host.stats().activityExecutions - activitiesBefore,
          historyEvents: host.history(SCHEDULED_PROBE_INSTANCE).length,
        });
        detail = passes;
      } else {
        await host.fireTimer("revalidationTimer");
        const final = await host.waitForInstance(SCHEDULED_REVALIDATION_INSTANCE, { timeoutMs: 300_000 });
        const output = final.output as { links?: unknown[]; failures?: unknown[] } | undefined;
        if (final.runtimeStatus !== "Completed")
          throw new Error(`the re-validation pass ended ${final.runtimeStatus}`);
        detail = { links: output?.links?.length ?? 0, failures: output?.failures ?? [] };
      }
      durationsMs.push(performance.now() - started);
    }
    return { durationsMs, idlePeakRssBytes, peakRssBytes: peakRssBytes(), detail };
  } finally {
    await host.stop();
  }
}

// Started by runAppProcess with an IPC channel: one request in, one result (or error) out.
if (require.main === module) {
  process.once("message", (message) => {
    run(message as AppProcessRequest).then(
      (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
      (error: unknown) =>
        process.send?.(
          { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
          () => process.exit(1),
        ),
    );
  });
}
