// Makes sure no throwaway server outlives its owner: tracks live servers, kills them on exit or signal, and reaps leftovers of dead owners.
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Everything this module creates lives under here: templates and one directory per server. */
export const SERVER_ROOT = process.env.DEV_MYSQL_TMPDIR ?? join(tmpdir(), "dir-mysql");
const SERVER_DIR_PREFIX = "srv-";
const OWNER_FILE = "owner.json";
const SERVER_PID_FILE = "server.pid";

interface Tracked {
  dir: string;
  serverPid: number | undefined;
}

interface OwnerRecord {
  pid: number;
  startTicks: string | undefined;
}

/** Field 22 of /proc/<pid>/stat: tells a live owner from an unrelated process that reused its pid. */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ownerIsAlive(owner: OwnerRecord): boolean {
  if (!isAlive(owner.pid)) return false;
  const ticks = processStartTicks(owner.pid);
  return owner.startTicks === undefined || ticks === undefined || ticks === owner.startTicks;
}

function killIfOurs(pid: number, dir: string): void {
  // Only kill a process whose command line names this directory: the pid may have been reused.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.includes(dir)) return;
  } catch {
    if (process.platform === "linux") return;
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

class ServerJanitor {
  private readonly tracked = new Set<Tracked>();
  private hooksInstalled = false;
  private reaped = false;

  /** Creates a fresh server directory owned by this process; reaps dead owners' leftovers the first time. */
  createServerDir(label: string): string {
    mkdirSync(SERVER_ROOT, { recursive: true, mode: 0o700 });
    if (!this.reaped) {
      this.reaped = true;
      this.reapOrphans();
    }
    const safeLabel = label.replace(/[^a-z0-9]/gi, "").slice(0, 12);
    const dir = join(
      SERVER_ROOT,
      `${SERVER_DIR_PREFIX}${safeLabel}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    );
    mkdirSync(dir, { mode: 0o700 });
    const owner: OwnerRecord = { pid: process.pid, startTicks: processStartTicks(process.pid) };
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
    return dir;
  }

  track(dir: string): Tracked {
    this.installHooks();
    const entry: Tracked = { dir, serverPid: undefined };
    this.tracked.add(entry);
    return entry;
  }

  /** Records the running server's pid, also on disk so that a later run can kill it if we die first. */
  setServerPid(entry: Tracked, pid: number | undefined): void {
    entry.serverPid = pid;
    try {
      if (pid === undefined) rmSync(join(entry.dir, SERVER_PID_FILE), { force: true });
      else writeFileSync(join(entry.dir, SERVER_PID_FILE), String(pid));
    } catch {
      // the directory is being removed
    }
  }

  /** Forgets a server whose process has ended and whose directory was removed. */
  untrack(entry: Tracked): void {
    this.tracked.delete(entry);
  }

  /** Synchronous on purpose: runs from 'exit', where no asynchronous work happens any more. */
  killAllSync(): void {
    for (const entry of this.tracked) {
      if (entry.serverPid !== undefined) {
        try {
          process.kill(entry.serverPid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmSync(entry.dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    }
    this.tracked.clear();
  }

  /** Removes server directories whose owner process is dead, killing any server still running in them. */
  reapOrphans(): string[] {
    const reaped: string[] = [];
    let names: string[];
    try {
      names = readdirSync(SERVER_ROOT);
    } catch {
      return reaped;
    }
    for (const name of names) {
      if (!name.startsWith(SERVER_DIR_PREFIX)) continue;
      const dir = join(SERVER_ROOT, name);
      let owner: OwnerRecord | undefined;
      try {
        owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8")) as OwnerRecord;
      } catch {
        owner = undefined; // half-created or half-removed: the owner may still be writing it
      }
      if (!owner || typeof owner.pid !== "number" || ownerIsAlive(owner)) continue;
      try {
        const serverPid = Number(readFileSync(join(dir, SERVER_PID_FILE), "utf8"));
        if (Number.isInteger(serverPid) && serverPid > 0) killIfOurs(serverPid, dir);
      } catch {
        // no server was running
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
      reaped.push(dir);
    }
    return reaped;
  }

  private installHooks(): void {
    if (this.hooksInstalled) return;
    this.hooksInstalled = true;
    // 'exit' also fires after an uncaught exception or unhandled rejection, and does not change how those end.
    // Under Jest `process` is a sandbox copy whose events never fire; the watchdog pipe covers that case.
    process.on("exit", () => this.killAllSync());
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const handler = (): void => {
        this.killAllSync();
        process.removeListener(signal, handler);
        // Keep the default behaviour (die by the signal) unless someone else handles it.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      process.on(signal, handler);
    }
  }
}

/** The one janitor of this process. */
export const serverJanitor = new ServerJanitor();
