// Starts Azurite's Table service as a child process (in memory, telemetry off) on a free port, and stops it for sure.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort";

/** Azurite's well-known development account; public by design (documented by Microsoft), not a secret. */
const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface RunningAzurite {
  tablePort: number;
  tableEndpoint: string;
  /** For `TableClient.fromConnectionString(cs, table, { allowInsecureConnection: true })`: Azurite here speaks plain HTTP. */
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

export interface StartAzuriteOptions {
  /** Give up waiting for readiness after this long; default 15 s (a cold start on a loaded machine takes ~1 s). */
  startTimeoutMs?: number;
}

const READY_LINE = /Azurite Table service successfully started/;
const MAX_ATTEMPTS = 3;

// Every child still running is killed when this process exits, even if a test forgot stop().
const liveChildren = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  let lastError: unknown;
  // The free port can be taken between probing and Azurite binding it; try again on a fresh one.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      return await startOnce(await freePort(), options.startTimeoutMs ?? 15_000);
    } catch (err) {
      lastError = err;
      if (!String(err).includes("EADDRINUSE")) break;
    }
  }
  throw lastError;
}

async function startOnce(port: number, timeoutMs: number): Promise<RunningAzurite> {
  // Azurite writes debug/extent files relative to its cwd in some modes; a private dir keeps the repo clean.
  const workDir = await mkdtemp(join(tmpdir(), "azurite-"));
  const main = require.resolve("azurite/dist/src/table/main.js");
  const child = spawn(
    process.execPath,
    [
      main,
      "--tableHost",
      "127.0.0.1",
      "--tablePort",
      String(port),
      "--inMemoryPersistence",
      "--disableTelemetry",
      // The SDK may send a newer x-ms-version than this Azurite knows; the emulator should not be what breaks.
      "--skipApiVersionCheck",
      "--loose",
    ],
    { cwd: workDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  liveChildren.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => liveChildren.delete(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(workDir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (READY_LINE.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited before it was ready (code ${code}, signal ${signal}):\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  // Keep draining the pipes so a chatty Azurite never blocks on a full buffer.
  child.stdout?.resume();
  child.stderr?.resume();

  const tableEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
  return {
    tablePort: port,
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`,
    pid: child.pid ?? -1,
    stop,
  };
}
