// `npm test`: creates this run's CA, then runs Jest with NODE_EXTRA_CA_CERTS set so the real Azure SDK clients trust the emulators.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCa } from "../tls/testCa";

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "dir-test-ca-"));
  try {
    const ca = await createTestCa(dir);
    const jest = require.resolve("jest/bin/jest");
    const child = spawn(process.execPath, [jest, ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, DEV_CA_DIR: dir, NODE_EXTRA_CA_CERTS: ca.caCertFile },
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    process.on("SIGINT", forward("SIGINT"));
    process.on("SIGTERM", forward("SIGTERM"));
    return await new Promise<number>((resolve) =>
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
