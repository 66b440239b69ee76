// Initialises a server data directory once per binary version and caches it, so each throwaway server only copies it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { constants, copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ServerBinary } from "./serverBinary";
import { SERVER_ROOT } from "./serverJanitor";

const execFileAsync = promisify(execFile);

/**
 * InnoDB sizes used both to initialise the template and to run every server: a mismatch would make
 * each server resize its redo log on first start, and small files make the per-server copy cheap.
 */
export function innodbArgs(binary: ServerBinary): string[] {
  if (binary.flavor === "mysql") {
    // MySQL 8.0.30+ sizes its redo log by capacity (innodb_log_file_size is deprecated, unknown on 9.x).
    const redo =
      binary.major > 8 || (binary.major === 8 && binary.minor >= 30)
        ? "--innodb-redo-log-capacity=16M"
        : "--innodb-log-file-size=8M";
    return [redo, "--innodb-buffer-pool-size=32M"];
  }
  return [
    "--innodb-log-file-size=4M",
    "--innodb-buffer-pool-size=16M",
    // Grow ibdata1 by 1 MB, not 64 MB: with the default the template is ~70 MB and copying it dominates start time.
    "--innodb-data-file-path=ibdata1:1M:autoextend",
    "--innodb-autoextend-increment=1",
  ];
}

/** Running as root needs --user=root; otherwise the server would try to switch to the mysql account. */
export function userArgs(): string[] {
  return process.getuid?.() === 0 ? ["--user=root"] : [];
}

/**
 * Options fixed when a data directory is created: MySQL 8.0+ refuses to start with a lower_case_table_names other
 * than its data dictionary's (MY-011087), so each value gets its own template.
 */
export function initialisationArgs(binary: ServerBinary, serverArgs: readonly string[]): string[] {
  if (binary.flavor !== "mysql" || binary.major < 8) return [];
  return serverArgs.filter((arg) => arg.startsWith("--lower-case-table-names="));
}

function templateKey(binary: ServerBinary, initArgs: readonly string[]): string {
  const hash = createHash("sha256")
    .update([binary.path, binary.fingerprint, ...innodbArgs(binary), ...initArgs].join("\n"))
    .digest("hex")
    .slice(0, 12);
  return `template-${binary.flavor}-${binary.version}-${hash}`;
}

async function initialise(
  binary: ServerBinary,
  initArgs: readonly string[],
  dataDir: string,
  tmpDir: string,
): Promise<void> {
  // A private tmpdir: bootstrap servers sharing /tmp delete each other's #sql temp files (seen with 3 concurrent inits).
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  if (binary.flavor === "mariadb") {
    if (!binary.installDbPath) throw new Error("mariadb-install-db not found next to the MariaDB server");
    await execFileAsync(
      binary.installDbPath,
      [
        "--no-defaults",
        `--datadir=${dataDir}`,
        ...userArgs(),
        // root@localhost with an empty password over the unix socket: the socket lives in a private 0700 directory.
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
        `--tmpdir=${tmpDir}`,
        ...innodbArgs(binary),
      ],
      { env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` } },
    );
    return;
  }
  // Oracle MySQL 5.7+: --initialize-insecure creates root@localhost with no password (about 4 s for 9.7).
  await execFileAsync(binary.command, [
    ...binary.commandArgs,
    "--no-defaults",
    ...binary.baseArgs,
    "--initialize-insecure",
    `--datadir=${dataDir}`,
    `--tmpdir=${tmpDir}`,
    ...userArgs(),
    ...innodbArgs(binary),
    ...initArgs,
  ]);
  // Each server must have its own server_uuid (equal UUIDs stop replication with error 13117): a copy
  // without auto.cnf generates a fresh one at first start.
  await rm(join(dataDir, "auto.cnf"), { force: true });
}

const inProcess = new Map<string, Promise<string>>();

async function isComplete(dir: string): Promise<boolean> {
  try {
    await stat(join(dir, "mysql"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a ready template directory for this binary. Concurrent Jest workers may both initialise one;
 * each builds in its own scratch directory and publishes it with an atomic rename, and the loser
 * discards its copy, so a reader never sees a half-initialised template.
 */
export function ensureTemplateDataDir(
  binary: ServerBinary,
  initArgs: readonly string[] = [],
): Promise<string> {
  const key = templateKey(binary, initArgs);
  let pending = inProcess.get(key);
  if (!pending) {
    pending = (async () => {
      const finalDir = join(SERVER_ROOT, key);
      if (await isComplete(finalDir)) return finalDir;
      await mkdir(SERVER_ROOT, { recursive: true, mode: 0o700 });
      await removeStaleTemplateScratch();
      const scratch = `${finalDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      try {
        await initialise(binary, initArgs, scratch, `${scratch}-tmpdir`);
        try {
          await rename(scratch, finalDir);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
          // Another worker won the race; its template is equivalent.
        }
      } finally {
        await rm(scratch, { recursive: true, force: true });
        await rm(`${scratch}-tmpdir`, { recursive: true, force: true });
      }
      if (!(await isComplete(finalDir))) throw new Error(`Template data directory ${finalDir} is incomplete`);
      return finalDir;
    })();
    pending.catch(() => inProcess.delete(key));
    inProcess.set(key, pending);
  }
  return pending;
}

/**
 * Copies a template into a new data directory. The cost is per file (about 200 small ones), so all
 * copies run at once: ~50 ms instead of ~160-280 ms for fs.cp or `cp -a`. Reflinks where the FS has them.
 */
export async function copyDataDir(source: string, target: string): Promise<void> {
  await mkdir(target, { mode: 0o700 });
  const entries = await readdir(source, { withFileTypes: true });
  await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? copyDataDir(join(source, entry.name), join(target, entry.name))
        : copyFile(join(source, entry.name), join(target, entry.name), constants.COPYFILE_FICLONE),
    ),
  );
}

/** Removes scratch directories left by initialisations that died half-way (older than an hour). */
async function removeStaleTemplateScratch(): Promise<void> {
  const names = await readdir(SERVER_ROOT).catch(() => [] as string[]);
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const name of names) {
    if (!name.startsWith("template-") || !name.includes(".tmp-")) continue;
    const dir = join(SERVER_ROOT, name);
    const info = await stat(dir).catch(() => undefined);
    if (info && info.mtimeMs < hourAgo) await rm(dir, { recursive: true, force: true });
  }
}
