// Benchmark 3: a fresh Node process loading every function module of the app, against a hello-world v4 app.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { appFunctionModules } from "./benchStack";
import { FigureRecorder, median } from "./figures";

const RUNS = 9;

interface ProbeResult {
  sinceStartMs: number;
  loadMs: number;
  functions: number;
  wallMs: number;
}

/** Enough app settings for the app's configuration to validate; none of them is contacted while loading. */
const APP_SETTINGS: Record<string, string> = {
  FUNCTIONS_WORKER_RUNTIME: "node",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  ARM_ENDPOINT: "https://management.azure.com",
  KEY_VAULT_ALLOWED_HOSTS: "example.vault.azure.net",
};

function probe(modules: readonly string[]): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(__dirname, "coldStartProbe.js"), ...modules], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...APP_SETTINGS },
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`cold-start probe exited ${code}: ${stdout}`));
      resolve({ ...(JSON.parse(stdout) as Omit<ProbeResult, "wallMs">), wallMs });
    });
  });
}

async function main(): Promise<void> {
  const out = new FigureRecorder("coldstart");
  const appModules = appFunctionModules();
  const helloModules = [join(__dirname, "helloWorldApp.js")];
  const app: ProbeResult[] = [];
  const hello: ProbeResult[] = [];
  const durableOnly: ProbeResult[] = [];
  // Alternating, after one untimed run of each, so disk cache and CPU frequency drift hit both alike.
  await probe(appModules);
  await probe(helloModules);
  for (let run = 0; run < RUNS; run++) {
    app.push(await probe(appModules));
    hello.push(await probe(helloModules));
    // Not a baseline for the target: what requiring durable-functions alone costs, to show where the time goes.
    durableOnly.push(await probe(["durable-functions"]));
  }
  const registered = app[0]?.functions ?? 0;
  if (registered === 0 || hello[0]?.functions !== 1) throw new Error("the probes registered no functions");
  const appStart = median(app.map((item) => item.sinceStartMs));
  const helloStart = median(hello.map((item) => item.sinceStartMs));
  out.baseline(
    `hello-world v4 app (one app.http module) loaded the same way: ${helloStart.toFixed(1)} ms from process start`,
  );
  out.figure("coldstart.app.sinceProcessStartMs", appStart, "ms", {
    how: `performance.now() in a fresh process after the shim and all ${appModules.length} modules (${registered} functions) loaded, median of ${RUNS}`,
  });
  out.figure("coldstart.hello.sinceProcessStartMs", helloStart, "ms");
  out.figure("coldstart.ratio", appStart / helloStart, "x", { target: { max: 1.5 } });
  const appLoad = median(app.map((item) => item.loadMs));
  const helloLoad = median(hello.map((item) => item.loadMs));
  out.figure("coldstart.app.moduleLoadMs", appLoad, "ms", {
    how: "require() of the shim and the modules only",
  });
  out.figure("coldstart.hello.moduleLoadMs", helloLoad, "ms");
  out.figure("coldstart.moduleLoadRatio", appLoad / helloLoad, "x");
  out.figure(
    "coldstart.durableFunctionsOnly.sinceProcessStartMs",
    median(durableOnly.map((item) => item.sinceStartMs)),
    "ms",
    {
      how: "the same probe requiring only the durable-functions package: a floor any Durable Functions app pays",
    },
  );
  out.figure("coldstart.app.processWallMs", median(app.map((item) => item.wallMs)), "ms", {
    how: "spawn to exit, seen from the parent",
  });
  out.figure("coldstart.hello.processWallMs", median(hello.map((item) => item.wallMs)), "ms");
  out.write(join(__dirname, "..", "..", "bench", "results", `coldstart-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
