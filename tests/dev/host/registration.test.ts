// Registration failures must be loud: @azure/functions "test mode" and triggers/bindings the local host cannot run.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

type LocalHostModule = typeof import("../../../dev/host/localHost");

const fixtures = join(__dirname, "fixtures");
const repoRoot = join(__dirname, "..", "..", "..");

/** Each load gets its own module registry, so one unsupported registration does not leak into the next case. */
async function startIsolated(modulePath: string): Promise<unknown> {
  let outcome: unknown;
  await jest.isolateModulesAsync(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- must load inside the isolated registry
    const { LocalHost } = require("../../../dev/host/localHost") as LocalHostModule;
    try {
      const host = await LocalHost.start({ functionModules: [modulePath] });
      await host.stop();
      outcome = "started";
    } catch (err) {
      outcome = err;
    }
  });
  return outcome;
}

async function runPlainNode(mode: "app-first" | "host-first"): Promise<{ output?: unknown; error?: string }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", join(fixtures, "plainNodeRun.ts"), mode],
    { cwd: repoRoot, timeout: 60_000 },
  );
  const lastLine = stdout.trim().split("\n").pop() ?? "{}";
  return JSON.parse(lastLine) as { output?: unknown; error?: string };
}

describe("LocalHost registration", () => {
  it("works in plain Node when the host is imported before the function modules", async () => {
    const result = await runPlainNode("host-first");
    expect(result).toEqual({ output: ["Hello A", "Hello Hello A", "Hello Hello Hello A"] });
  });

  it("fails loudly when @azure/functions fell into test mode and dropped the registrations", async () => {
    const result = await runPlainNode("app-first");
    expect(result.error).toMatch(/registered no functions with the local host/);
    expect(result.error).toMatch(/test mode/);
  });

  it.each([
    [
      "a storage queue trigger",
      "queueApp.ts",
      /Trigger type "queueTrigger" of function "QueueWorker" is not supported by the local host/,
    ],
    [
      "a blob output binding",
      "blobOutputApp.ts",
      /Output binding "blob" of function "WritesBlob" is not supported by the local host/,
    ],
    [
      "a durable entity",
      "entityApp.ts",
      /Trigger type "entityTrigger" of function "Counter" is not supported by the local host/,
    ],
  ])("refuses to load a module with %s", async (_what, file, message) => {
    const outcome = await startIsolated(join(fixtures, file));
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(message);
  });

  it("loads a supported module in an isolated registry", async () => {
    expect(await startIsolated(join(fixtures, "sampleApp.ts"))).toBe("started");
  });
});
