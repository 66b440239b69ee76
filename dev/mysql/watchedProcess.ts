// Spawns a server behind a tiny shell watchdog that SIGKILLs it and deletes its directory when this Node process dies, even by SIGKILL.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * The watchdog holds the read end of a pipe whose only writer is this Node process. The kernel closes
 * the writer when Node dies for any reason, the `read` returns, and the watchdog kills the server and
 * removes its directory. A normal exit of the server just ends the watchdog. The marker file tells the
 * two cases apart, so a crash test (SIGKILL of the server alone) keeps the data for a restart.
 */
const WATCHDOG_SCRIPT = `
dir=$1; shift
exec 3<&0 0</dev/null
"$@" 3<&- &
server=$!
echo "$server"
(
  while read -r _ <&3; do :; done
  : > "$dir/.owner-gone"
  kill -KILL "$server" 2>/dev/null
) &
watcher=$!
exec 3<&-
wait "$server"
status=$?
if [ -e "$dir/.owner-gone" ]; then
  rm -rf -- "$dir"
else
  kill "$watcher" 2>/dev/null
fi
exit "$status"
`;

export interface WatchedProcess {
  /** Pid of the server itself (not of the watchdog shell). */
  serverPid: number;
  /** Resolves with the server's exit status once it has ended. */
  exited: Promise<number | null>;
  hasExited(): boolean;
}

/** Starts `command args` under the watchdog; `dir` is removed if this process dies while the server runs. */
export async function spawnWatched(
  command: string,
  args: readonly string[],
  dir: string,
): Promise<WatchedProcess> {
  const watchdog: ChildProcess = spawn(
    "/bin/sh",
    ["-c", WATCHDOG_SCRIPT, "watchdog", dir, command, ...args],
    {
      // stdin: the lifeline pipe; stdout: the server pid; stderr: ignored (servers log to a file).
      stdio: ["pipe", "pipe", "ignore"],
      // Own process group: a terminal's Ctrl-C reaches Node, which shuts servers down in order.
      detached: true,
    },
  );
  let ended = false;
  const exited = new Promise<number | null>((resolve) => {
    watchdog.once("exit", (code) => {
      ended = true;
      resolve(code);
    });
  });
  const stdout = watchdog.stdout;
  if (!stdout) throw new Error("watchdog stdout missing");
  const serverPid = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    lines.once("line", (line) => {
      lines.close();
      const pid = Number(line.trim());
      if (Number.isInteger(pid) && pid > 0) resolve(pid);
      else reject(new Error(`watchdog printed no pid: ${line}`));
    });
    watchdog.once("error", reject);
    void exited.then(() => reject(new Error(`${command} exited before it started`)));
  });
  // Neither the watchdog nor its pipes may keep Node alive: tests that forget stop() still end.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  (stdout as unknown as { unref?: () => void }).unref?.();
  return { serverPid, exited, hasExited: () => ended };
}
