// Finds a server binary of the wanted flavor (Oracle MySQL by default, as every Azure server is) and how to launch it.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export type ServerFlavor = "mariadb" | "mysql";

export interface ServerBinary {
  /** Absolute path of mariadbd / mysqld. */
  path: string;
  /** What to exec: the binary itself, or a private root's dynamic loader (see `npm run mysql:install`). */
  command: string;
  /** Arguments before the server's own (the loader's `--library-path ... <mysqld>`); empty for a plain binary. */
  commandArgs: readonly string[];
  /** Server options that must follow `--no-defaults` (a private root's basedir and message files). */
  baseArgs: readonly string[];
  flavor: ServerFlavor;
  /** e.g. "9.7.4"; the distribution suffix is dropped. */
  version: string;
  major: number;
  minor: number;
  /** MariaDB initialises data directories with this script; Oracle MySQL uses `mysqld --initialize-insecure`. */
  installDbPath: string | undefined;
  /** Size and mtime of the binary: part of the template cache key, so an upgraded package gets a fresh template. */
  fingerprint: string;
}

/** Where `npm run mysql:install` keeps Oracle MySQL: `<repo>/.cache/mysql` unless MYSQL_CACHE_DIR says otherwise. */
function mysqlCacheDir(): string {
  if (process.env.MYSQL_CACHE_DIR) return resolve(process.env.MYSQL_CACHE_DIR);
  return join(repositoryRoot(), ".cache", "mysql");
}

/** dev/mysql (tsx, jest) or dist/dev/mysql (built): the repository is the nearest folder with a package.json. */
export function repositoryRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    dir = dirname(dir);
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return process.cwd();
}

interface Candidate {
  path: string;
  /** A private root (Debian sid's MySQL unpacked by `npm run mysql:install`): run through its own loader. */
  root?: string;
}

function candidatesFor(flavor: ServerFlavor): Candidate[] {
  if (flavor === "mariadb") {
    return [
      process.env.MARIADBD_PATH,
      "/usr/sbin/mariadbd",
      "/usr/local/sbin/mariadbd",
      "/usr/bin/mariadbd",
      "/opt/homebrew/opt/mariadb/bin/mariadbd",
      "/usr/local/opt/mariadb/bin/mariadbd",
    ]
      .filter((path): path is string => !!path)
      .map((path) => ({ path }));
  }
  const root = join(mysqlCacheDir(), "root");
  return [
    ...(process.env.MYSQLD_PATH ? [{ path: process.env.MYSQLD_PATH }] : []),
    { path: join(root, "usr", "sbin", "mysqld"), root },
    // Ubuntu's mysql-server, a MySQL tarball, Homebrew's mysql (Debian's /usr/sbin/mysqld may be MariaDB: checked below).
    { path: "/usr/sbin/mysqld" },
    { path: "/usr/local/mysql/bin/mysqld" },
    { path: "/opt/homebrew/opt/mysql/bin/mysqld" },
    { path: "/usr/local/opt/mysql/bin/mysqld" },
    { path: "/usr/bin/mysqld" },
  ];
}

const INSTALL_DB_CANDIDATES = [
  "/usr/bin/mariadb-install-db",
  "/usr/bin/mysql_install_db",
  "/usr/local/bin/mariadb-install-db",
  "/usr/sbin/mariadb-install-db",
];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Parses `mariadbd --version` / `mysqld --version` output. */
function parseServerVersion(output: string): { flavor: ServerFlavor; version: string } {
  const match = /Ver\s+(\d+\.\d+\.\d+)(\S*)/.exec(output);
  if (!match?.[1]) throw new Error(`Cannot read a server version from: ${output.trim()}`);
  const flavor: ServerFlavor = /mariadb/i.test(output) ? "mariadb" : "mysql";
  return { flavor, version: match[1] };
}

function launcherFor(candidate: Candidate): Pick<ServerBinary, "command" | "commandArgs" | "baseArgs"> {
  if (!candidate.root) return { command: candidate.path, commandArgs: [], baseArgs: [] };
  const usr = join(candidate.root, "usr");
  return {
    command: join(usr, "lib64", "ld-linux-x86-64.so.2"),
    commandArgs: ["--library-path", join(usr, "lib", "x86_64-linux-gnu"), candidate.path],
    baseArgs: [`--basedir=${usr}`, `--lc-messages-dir=${join(usr, "share", "mysql")}`],
  };
}

async function probe(candidate: Candidate): Promise<ServerBinary | undefined> {
  if (!(await isExecutable(candidate.path))) return undefined;
  const launcher = launcherFor(candidate);
  if (candidate.root && !(await isExecutable(launcher.command))) return undefined;
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(launcher.command, [
      ...launcher.commandArgs,
      "--no-defaults",
      ...launcher.baseArgs,
      "--version",
    ]));
  } catch {
    return undefined;
  }
  const { flavor, version } = parseServerVersion(stdout);
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const info = await stat(candidate.path);
  let installDbPath: string | undefined;
  if (flavor === "mariadb") {
    for (const path of INSTALL_DB_CANDIDATES) {
      if (await isExecutable(path)) {
        installDbPath = path;
        break;
      }
    }
  }
  return {
    path: candidate.path,
    ...launcher,
    flavor,
    version,
    major,
    minor,
    installDbPath,
    fingerprint: `${info.size}-${Math.floor(info.mtimeMs)}`,
  };
}

/** The command that gets a server of this flavor here; shown when none is found. */
export function installInstructions(flavor: ServerFlavor): string {
  return flavor === "mysql"
    ? "Run `npm run mysql:install` (Debian/Ubuntu on x86_64: fetches Oracle MySQL into .cache/mysql), or install MySQL 8.0+ (Ubuntu: `sudo apt-get install mysql-server`; macOS: `brew install mysql`) and set MYSQLD_PATH if it is not found."
    : "Install MariaDB (Debian/Ubuntu: `sudo apt-get install mariadb-server`; macOS: `brew install mariadb`) or set MARIADBD_PATH.";
}

const cached = new Map<ServerFlavor, Promise<ServerBinary>>();

/**
 * The server binary of this machine for a flavor (memoised per process). Oracle MySQL by default: it is
 * what every Azure server runs. MYSQLD_PATH / MARIADBD_PATH override the search.
 */
export function detectServerBinary(flavor: ServerFlavor = "mysql"): Promise<ServerBinary> {
  let pending = cached.get(flavor);
  if (!pending) {
    pending = (async () => {
      const seen: string[] = [];
      for (const candidate of candidatesFor(flavor)) {
        const found = await probe(candidate);
        if (found?.flavor === flavor) return found;
        if (found) seen.push(`${candidate.path} is ${found.flavor} ${found.version}`);
      }
      const what = flavor === "mysql" ? "Oracle MySQL server (mysqld)" : "MariaDB server (mariadbd)";
      throw new Error(
        `No ${what} found${seen.length ? ` (${seen.join("; ")})` : ""}. ${installInstructions(flavor)}`,
      );
    })();
    pending.catch(() => cached.delete(flavor));
    cached.set(flavor, pending);
  }
  return pending;
}
