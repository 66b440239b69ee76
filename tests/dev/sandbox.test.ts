// The sandbox as a user runs it: `--demo` end to end in a real process tree, its state file, no leaked secrets, nothing left running.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SandboxState } from "../../dev/sandbox/sandboxState";

jest.setTimeout(180_000);

const ROOT = join(__dirname, "..", "..");
// From source through tsx: the sandbox then loads functions/*.ts, the same modules dist/functions/*.js are built from.
const ENTRY = join(ROOT, "dev", "sandbox", "main.ts");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSandbox(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), ENTRY, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie is dead too; it only waits for its parent to collect it.
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Live processes whose command line names `text` (the servers name the run's CA directory in --ssl-ca). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || isGone(Number(name))) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ");
      if (cmdline.includes(text)) found.push(`${name}: ${cmdline.slice(0, 200)}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

async function within(ms: number, condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe("npm run sandbox", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sandbox-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("--demo provisions, replicates rows, re-validates, tears down, and leaves nothing running", async () => {
    const stateFile = join(dir, "demo", "state.json");
    const run = await runSandbox(["--demo", "--port", "0", "--state-file", stateFile]);
    const output = run.stdout + run.stderr;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toContain("LOCAL SANDBOX");
    expect(run.stdout).toContain("Production runs on Azure Functions");
    expect(run.stdout).toMatch(/curl -sS -X POST http:\/\/127\.0\.0\.1:\d+\/api\/replications /);
    // The five demo orders, printed from the replica.
    const arrived = run.stdout.slice(run.stdout.indexOf("on the replica"));
    for (const customer of ["hopper", "lovelace", "dijkstra", "liskov", "knuth"])
      expect(arrived).toContain(customer);
    expect(run.stdout).toMatch(/health after .*: healthy/);
    expect(run.stdout).toContain("state removed");
    expect(run.stdout).toContain("demo passed");

    const state = JSON.parse(await readFile(stateFile, "utf8")) as SandboxState;
    expect(state.status).toBe("stopped");
    expect(state.apiBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(state.exampleRequest).toMatchObject({
      source: { host: "127.0.0.1" },
      replica: { kind: "single" },
    });
    expect(state.source.adminUri).toMatch(/^mysql:\/\/sandboxadmin:[^@]+@127\.0\.0\.1:\d+\/$/);
    expect(state.replica.adminUri).toMatch(/^mysql:\/\/sandboxadmin:[^@]+@127\.0\.0\.1:\d+\/$/);
    expect(state.source.replicationUser).toBe("repl");
    expect(state.replica.serverName).toBe("sandbox-replica");
    expect(state.armEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(typeof state.caCertificateFile).toBe("string");
    expect(Object.keys(state.secrets)).toEqual(
      expect.arrayContaining([
        "replicationPassword",
        "inspectionPassword",
        "adminPassword",
        "sourceSandboxAdminPassword",
        "replicaSandboxAdminPassword",
      ]),
    );
    for (const [name, value] of Object.entries(state.secrets)) {
      if (output.includes(value)) throw new Error(`secret ${name} appears in the sandbox's console output`);
    }

    // Every process it started has ended and the run's temporary directory is gone.
    const pids = Object.entries(state.processes);
    expect(pids.map(([name]) => name)).toEqual(
      expect.arrayContaining(["supervisor", "sandbox", "source", "replica", "azurite"]),
    );
    expect(await within(5_000, () => pids.every(([, pid]) => isGone(pid)))).toBe(true);
    expect(processesMentioning(state.tempDir)).toEqual([]);
    expect(existsSync(state.tempDir)).toBe(false);
  });

  it("--replica-tier Basic --demo fails on the tier check, printing its message and remedy", async () => {
    const stateFile = join(dir, "basic", "state.json");
    const run = await runSandbox([
      "--demo",
      "--port",
      "0",
      "--state-file",
      stateFile,
      "--replica-tier",
      "Basic",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED CHECK REPLICA_TIER: .*Basic tier/);
    expect(run.stdout).toMatch(/remedy: A Basic Single Server cannot be scaled/);
    expect(run.stderr).toContain("demo failed: provisioning failed (REPLICA_TIER)");
    const state = JSON.parse(await readFile(stateFile, "utf8")) as SandboxState;
    expect(existsSync(state.tempDir)).toBe(false);
    expect(processesMentioning(state.tempDir)).toEqual([]);
  });

  it("refuses bad flags, naming each one, before starting anything", async () => {
    const run = await runSandbox([
      "--port",
      "70000",
      "--replica-kind",
      "flexible-plus",
      "--replica-tier",
      "Premium",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--port must be a whole number from 0 to 65535");
    expect(run.stderr).toContain("--replica-kind must be single or flexible");
    expect(run.stderr).toContain(
      "--replica-tier must be one of Basic, Burstable, GeneralPurpose, MemoryOptimized",
    );
    expect(run.stdout).toBe("");
  });
});
