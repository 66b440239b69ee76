// Finds the installed MySQL-family server binary and tells MariaDB from Oracle MySQL, with its version.
import { execFile } from "node:child_process";
import { access, constants, stat } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export type ServerFlavor = "mariadb" | "mysql";

export interface ServerBinary {
  /** Absolute path of mariadbd / mysqld. */
  path: string;
  flavor: ServerFlavor;
  /** e.g. "10.11.19"; the distribution suffix is dropped. */
  version: string;
  major: number;
  minor: number;
  /** MariaDB initialises data directories with this script; Oracle MySQL uses `mysqld --initialize-insecure`. */
  installDbPath: string | undefined;
  /** Size and mtime of the binary: part of the template cache key, so an upgraded package gets a fresh template. */
  fingerprint: string;
}

// Debian puts the daemons in /usr/sbin, which is often missing from a non-root PATH.
const SERVER_CANDIDATES = [
  process.env.MYSQLD_PATH,
  "/usr/sbin/mariadbd",
  "/usr/sbin/mysqld",
  "/usr/local/sbin/mariadbd",
  "/usr/local/mysql/bin/mysqld",
  "/usr/bin/mariadbd",
  "/usr/bin/mysqld",
];
const INSTALL_DB_CANDIDATES = [
  "/usr/bin/mariadb-install-db",
  "/usr/bin/mysql_install_db",
  "/usr/local/bin/mariadb-install-db",
  "/usr/sbin/mariadb-install-db",
];

async function firstExecutable(paths: readonly (string | undefined)[]): Promise<string | undefined> {
  for (const candidate of paths) {
    if (!candidate) continue;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not installed there; try the next place
    }
  }
  return undefined;
}

/** Parses `mariadbd --version` / `mysqld --version` output. */
export function parseServerVersion(output: string): { flavor: ServerFlavor; version: string } {
  const match = /Ver\s+(\d+\.\d+\.\d+)(\S*)/.exec(output);
  if (!match?.[1]) throw new Error(`Cannot read a server version from: ${output.trim()}`);
  const flavor: ServerFlavor = /mariadb/i.test(output) ? "mariadb" : "mysql";
  return { flavor, version: match[1] };
}

let cached: Promise<ServerBinary> | undefined;

/** The server binary of this machine (memoised per process). MYSQLD_PATH overrides the search. */
export function detectServerBinary(): Promise<ServerBinary> {
  cached ??= (async () => {
    const path = await firstExecutable(SERVER_CANDIDATES);
    if (!path) {
      throw new Error(
        "No mariadbd/mysqld found (looked in /usr/sbin, /usr/local, /usr/bin; set MYSQLD_PATH). Install mariadb-server.",
      );
    }
    const { stdout } = await execFileAsync(path, ["--no-defaults", "--version"]);
    const { flavor, version } = parseServerVersion(stdout);
    const [major = 0, minor = 0] = version.split(".").map(Number);
    const info = await stat(path);
    return {
      path,
      flavor,
      version,
      major,
      minor,
      installDbPath: flavor === "mariadb" ? await firstExecutable(INSTALL_DB_CANDIDATES) : undefined,
      fingerprint: `${info.size}-${Math.floor(info.mtimeMs)}`,
    };
  })();
  return cached;
}
