// Run as a fresh process by coldStartBench: loads the given function modules through the local host's core shim, prints timings.
import { performance } from "node:perf_hooks";

const loadStarted = performance.now();
const { installCoreShim } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../dev/host/installCoreShim") as typeof import("../dev/host/installCoreShim");
installCoreShim();
// eslint-disable-next-line @typescript-eslint/no-require-imports
for (const file of process.argv.slice(2)) require(file);
const loadedAt = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const shim = require("../dev/host/functionsCoreShim") as typeof import("../dev/host/functionsCoreShim");
// performance.now() counts from the process's time origin: node's own start-up is included in sinceStartMs.
process.stdout.write(
  `${JSON.stringify({ sinceStartMs: loadedAt, loadMs: loadedAt - loadStarted, functions: shim.capturedFunctions().length })}\n`,
);
