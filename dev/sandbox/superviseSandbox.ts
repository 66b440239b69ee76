// The sandbox's outer process: creates the run's CA, starts the real sandbox with NODE_EXTRA_CA_CERTS set, forwards signals, removes the CA.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCa } from "../tls/testCa";

/** Set in the inner process's environment: its value is the epoch ms at which the outer process started. */
export const SANDBOX_CHILD_MARKER = "REPLICATION_SANDBOX_STARTED_AT";
/** The outer process's temporary directory (CA files); the inner one records it in the state file. */
export const SANDBOX_TEMP_DIR = "REPLICATION_SANDBOX_TEMP_DIR";

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Node reads NODE_EXTRA_CA_CERTS once, at startup, so the process that runs the Azure SDK clients against the
 * emulators must be started after the CA exists: this process creates it and runs `entry` again as that process.
 */
export async function superviseSandbox(
  entry: string,
  argv: readonly string[],
  startedAtMs: number,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "replication-sandbox-"));
  const forwarders: [NodeJS.Signals, () => void][] = [];
  try {
    const ca = await createTestCa(join(dir, "ca"));
    const child = spawn(process.execPath, [...process.execArgv, entry, ...argv], {
      // The IPC channel is a lifeline: if this process dies, the inner one sees 'disconnect' and stops its servers.
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        [SANDBOX_CHILD_MARKER]: String(startedAtMs),
        [SANDBOX_TEMP_DIR]: dir,
        DEV_CA_DIR: ca.dir,
        NODE_EXTRA_CA_CERTS: ca.caCertFile,
      },
    });
    const exited = new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
    // A terminal's Ctrl-C reaches both processes; the inner one ignores the duplicate while it stops.
    for (const signal of FORWARDED_SIGNALS) {
      const forward = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      forwarders.push([signal, forward]);
      process.on(signal, forward);
    }
    return await exited;
  } finally {
    for (const [signal, forward] of forwarders) process.off(signal, forward);
    await rm(dir, { recursive: true, force: true });
  }
}
