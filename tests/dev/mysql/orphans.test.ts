// No server outlives its owner: SIGKILL of the owning Node process or an exit without stop() leaves no mysqld and no directory.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SERVER_ROOT, serverJanitor } from "../../../dev/mysql/serverJanitor";

const FIXTURE = join(__dirname, "fixtures", "orphanChild.ts");

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie is dead too; it only waits for its parent to collect it.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

async function within(ms: number, condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

async function startOwner(mode: "wait" | "exit"): Promise<{ pid: number; dir: string; ownerPid: number }> {
  const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), FIXTURE, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code} before reporting`)));
  });
  const info = JSON.parse(line) as { pid: number; dir: string };
  return { ...info, ownerPid: child.pid! };
}

describe("orphan protection", () => {
  it("kills the server and removes its directory when the owning process is SIGKILLed", async () => {
    const { pid, dir, ownerPid } = await startOwner("wait");
    expect(isGone(pid)).toBe(false);
    expect(existsSync(dir)).toBe(true);
    process.kill(ownerPid, "SIGKILL");
    expect(await within(10_000, () => isGone(pid))).toBe(true);
    expect(await within(10_000, () => !existsSync(dir))).toBe(true);
  });

  it("kills the server and removes its directory when the owner exits without stop()", async () => {
    const { pid, dir } = await startOwner("exit");
    expect(await within(10_000, () => isGone(pid))).toBe(true);
    expect(await within(10_000, () => !existsSync(dir))).toBe(true);
  });

  it("reaps directories whose owner died before cleaning up, and keeps those of live owners", async () => {
    // Created first: the janitor's first directory also triggers a reap, which must not hide the explicit one.
    const mine = serverJanitor.createServerDir("reaplive");
    const deadPid = await new Promise<number>((resolve) => {
      const short = spawn(process.execPath, ["-e", ""]);
      short.once("exit", () => resolve(short.pid!));
    });
    const orphan = join(SERVER_ROOT, `srv-reaptest-${deadPid}-x`);
    await mkdir(join(orphan, "data"), { recursive: true });
    await writeFile(join(orphan, "owner.json"), JSON.stringify({ pid: deadPid, startTicks: "1" }));
    await writeFile(join(orphan, "server.pid"), String(deadPid));
    try {
      const reaped = serverJanitor.reapOrphans();
      expect(reaped).toContain(orphan);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(mine)).toBe(true);
    } finally {
      await rm(mine, { recursive: true, force: true });
    }
  });
});
