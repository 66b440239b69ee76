// Runs one action of the app in a fresh child process (bench/appProcess.ts) and returns its timings and peak memory.
import { fork } from "node:child_process";
import { join } from "node:path";
import { type AppProcessRequest, type AppProcessResult } from "./appProcess";

export async function runAppProcess(
  request: AppProcessRequest,
  timeoutMs = 600_000,
): Promise<AppProcessResult> {
  // The child inherits NODE_EXTRA_CA_CERTS: it calls the same HTTPS emulators as this process.
  const child = fork(join(__dirname, "appProcess.js"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return await new Promise<AppProcessResult>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new Error(`the app process did not answer within ${timeoutMs / 1000} s`)));
    }, timeoutMs);
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    child.once("message", (message) => {
      const answer = message as { ok: true; result: AppProcessResult } | { ok: false; error: string };
      finish(() => (answer.ok ? resolve(answer.result) : reject(new Error(`app process: ${answer.error}`))));
    });
    child.once("error", (error) => finish(() => reject(error)));
    child.once("exit", (code, signal) =>
      finish(() => reject(new Error(`the app process exited (${code ?? signal}) without an answer`))),
    );
    child.send(request);
  });
}
