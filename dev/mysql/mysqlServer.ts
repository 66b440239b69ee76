// One throwaway MySQL-family server process: launch from the cached template, root SQL over its private socket, stop, crash, restart.
import { mkdir, readFile, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import {
  createConnection,
  createPool,
  type Connection,
  type ConnectionOptions,
  type Pool,
} from "mysql2/promise";
import { detectServerBinary, type ServerBinary, type ServerFlavor } from "./serverBinary";
import { serverJanitor } from "./serverJanitor";
import {
  copyDataDir,
  ensureTemplateDataDir,
  initialisationArgs,
  innodbArgs,
  userArgs,
} from "./templateDataDir";
import { spawnWatched, type WatchedProcess } from "./watchedProcess";

export type Row = Record<string, unknown>;

export interface ServerTls {
  caCertPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface LaunchOptions {
  /** Short name used in the directory name and error messages, e.g. "source". */
  label: string;
  serverId: number;
  /** Role-specific server arguments (binlog, TLS policy, ...). */
  args: readonly string[];
  tls: ServerTls | undefined;
  binary?: ServerBinary;
  startTimeoutMs?: number;
}

export interface UserOptions {
  user: string;
  /** Default '%'. */
  host?: string;
  password: string;
  /** Default: the server's default plugin. MariaDB: "mysql_native_password" | "ed25519"; MySQL: also "caching_sha2_password". */
  plugin?: "mysql_native_password" | "ed25519" | "caching_sha2_password";
  requireSsl?: boolean;
  /** Privilege keywords, e.g. ["REPLICATION SLAVE"]. */
  privileges?: readonly string[];
  /** Grant target, default "*.*"; "db.*" or "db.table". */
  on?: string;
}

export interface TableOptions {
  database: string;
  table: string;
  /** Default true: `id INT PRIMARY KEY`; false gives a table without any key. */
  primaryKey?: boolean;
  /** Default "InnoDB". */
  engine?: "InnoDB" | "MyISAM" | "Aria" | "MEMORY";
}

export interface ConnectOptions {
  user: string;
  password: string;
  /** Default true when the server has TLS: verify it against the CA. */
  tls?: boolean;
  database?: string;
}

const HOST = "127.0.0.1";
const READY_POLL_MS = 15;
const STOP_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 5;

/** Backtick-quotes an identifier (schema, table). */
function quoteIdentifier(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

const PRIVILEGE_PATTERN = /^[A-Z][A-Z ]*$/;
const GRANT_TARGET_PATTERN = /^(\*|`(?:[^`]|``)+`|[A-Za-z0-9_$]+)\.(\*|`(?:[^`]|``)+`|[A-Za-z0-9_$]+)$/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no error log)";
  }
}

export class MysqlServer {
  readonly host = HOST;
  readonly dataDir: string;
  readonly socketPath: string;
  /** The directory `secure_file_priv` points at. */
  readonly filesDir: string;
  readonly errorLogPath: string;
  readonly caCertPem: string | undefined;
  /** The non-root admin (Azure-like replica); undefined for a source. */
  adminUser: string | undefined;
  adminPassword: string | undefined;
  /** Milliseconds the last start took, from spawn to the first successful root query. */
  lastStartMs = 0;

  private process: WatchedProcess | undefined;
  private pool: Pool | undefined;
  private removed = false;
  private readonly tracked: ReturnType<typeof serverJanitor.track>;
  private portValue = 0;

  private constructor(
    readonly binary: ServerBinary,
    readonly dir: string,
    readonly serverId: number,
    private readonly args: readonly string[],
    private readonly tls: ServerTls | undefined,
    private readonly startTimeoutMs: number,
  ) {
    this.dataDir = join(dir, "data");
    this.socketPath = join(dir, "mysqld.sock");
    this.filesDir = join(dir, "files");
    this.errorLogPath = join(dir, "error.log");
    this.caCertPem = tls?.caCertPem;
    this.tracked = serverJanitor.track(dir);
  }

  get flavor(): ServerFlavor {
    return this.binary.flavor;
  }

  get version(): string {
    return this.binary.version;
  }

  get port(): number {
    return this.portValue;
  }

  /** Copies the template data directory and starts the server on a free loopback port. */
  static async launch(options: LaunchOptions): Promise<MysqlServer> {
    const binary = options.binary ?? (await detectServerBinary());
    const template = await ensureTemplateDataDir(binary, initialisationArgs(binary, options.args));
    const dir = serverJanitor.createServerDir(options.label);
    const server = new MysqlServer(
      binary,
      dir,
      options.serverId,
      options.args,
      options.tls,
      options.startTimeoutMs ?? 30_000,
    );
    try {
      await copyDataDir(template, server.dataDir);
      await mkdir(server.filesDir, { mode: 0o700 });
      await mkdir(join(server.dir, "tmp"), { mode: 0o700 });
      let lastError: unknown;
      for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        server.portValue = await freePort();
        try {
          await server.start();
          return server;
        } catch (err) {
          lastError = err;
          // Another process may take the probed port before the server binds it: try another one.
          if (!(err instanceof Error && /Address already in use|Bind on TCP\/IP port/i.test(err.message)))
            break;
        }
      }
      throw lastError;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  private serverArgs(): string[] {
    const common = [
      "--no-defaults",
      ...this.binary.baseArgs,
      ...userArgs(),
      `--datadir=${this.dataDir}`,
      `--socket=${this.socketPath}`,
      `--port=${this.port}`,
      `--bind-address=${HOST}`,
      `--pid-file=${join(this.dir, "mysqld.pid")}`,
      `--log-error=${this.errorLogPath}`,
      `--secure-file-priv=${this.filesDir}`,
      // Own tmpdir: a starting server removes stale #sql files in its tmpdir, which in a shared /tmp are other servers' live ones.
      `--tmpdir=${join(this.dir, "tmp")}`,
      `--server-id=${this.serverId}`,
      "--skip-name-resolve",
      ...innodbArgs(this.binary),
      // Throwaway servers: durability against OS crashes is not needed, start and write speed is.
      "--innodb-flush-log-at-trx-commit=2",
      "--sync-binlog=0",
      "--max-connections=60",
    ];
    if (this.flavor === "mysql") {
      common.push("--mysqlx=OFF", "--innodb-doublewrite=OFF");
    } else {
      common.push("--innodb-doublewrite=0", "--skip-innodb-buffer-pool-load-at-startup");
    }
    if (this.tls) {
      common.push(
        `--ssl-ca=${this.tls.caFile}`,
        `--ssl-cert=${this.tls.certFile}`,
        `--ssl-key=${this.tls.keyFile}`,
      );
    }
    return [...common, ...this.args];
  }

  private async start(): Promise<void> {
    const started = Date.now();
    await rm(this.errorLogPath, { force: true });
    const proc = await spawnWatched(
      this.binary.command,
      [...this.binary.commandArgs, ...this.serverArgs()],
      this.dir,
    );
    this.process = proc;
    serverJanitor.setServerPid(this.tracked, proc.serverPid);
    const deadline = started + this.startTimeoutMs;
    for (;;) {
      if (proc.hasExited()) {
        this.process = undefined;
        serverJanitor.setServerPid(this.tracked, undefined);
        throw new Error(`${this.binary.path} exited during startup:\n${await tail(this.errorLogPath)}`);
      }
      try {
        const probe = await createConnection({ socketPath: this.socketPath, user: "root", password: "" });
        await probe.end();
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(
            `server did not accept connections within ${this.startTimeoutMs} ms (${String(err)}):\n${await tail(this.errorLogPath)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
      }
    }
    this.lastStartMs = Date.now() - started;
  }

  isRunning(): boolean {
    return this.process !== undefined && !this.process.hasExited();
  }

  /** Pid of the server process, while it runs. */
  get pid(): number | undefined {
    return this.isRunning() ? this.process?.serverPid : undefined;
  }

  private rootPool(): Pool {
    this.pool ??= createPool({
      socketPath: this.socketPath,
      user: "root",
      password: "",
      connectionLimit: 3,
      charset: "utf8mb4_general_ci",
    });
    return this.pool;
  }

  private async closePool(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  /** Runs one statement as root over the private unix socket; values are bound, never concatenated. */
  async rootQuery<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    // Without values mysql2 sends the text untouched: a '?' inside a routine body stays a '?'.
    const [result] =
      params.length === 0
        ? await this.rootPool().query(sql)
        : await this.rootPool().query(sql, params as unknown[]);
    return Array.isArray(result) ? (result as unknown as T[]) : [];
  }

  /** A dedicated root connection over the socket, for session state (sql_mode, variables). Close it yourself. */
  async rootConnection(): Promise<Connection> {
    return createConnection({
      socketPath: this.socketPath,
      user: "root",
      password: "",
      charset: "utf8mb4_general_ci",
    });
  }

  /** A TCP connection as any user, over TLS verified against the CA when the server has TLS. Close it yourself. */
  async connect(options: ConnectOptions): Promise<Connection> {
    const config: ConnectionOptions = {
      host: this.host,
      port: this.port,
      user: options.user,
      password: options.password,
      charset: "utf8mb4_general_ci",
    };
    if (options.database !== undefined) config.database = options.database;
    const useTls = options.tls ?? this.caCertPem !== undefined;
    if (useTls) {
      if (!this.caCertPem) throw new Error("this server has no TLS");
      config.ssl = { ca: this.caCertPem, rejectUnauthorized: true };
    }
    return createConnection(config);
  }

  /** A connection as the replica's admin account (the only way in that Azure offers). */
  async connectAsAdmin(): Promise<Connection> {
    if (this.adminUser === undefined || this.adminPassword === undefined) {
      throw new Error("this server has no admin account (only Azure-like replicas do)");
    }
    return this.connect({ user: this.adminUser, password: this.adminPassword });
  }

  /** One global variable's value as text, or null when it does not exist. */
  async variable(name: string): Promise<string | null> {
    const rows = await this.rootQuery<{ Value: string }>("SHOW GLOBAL VARIABLES LIKE ?", [name]);
    return rows[0]?.Value ?? null;
  }

  async createUser(options: UserOptions): Promise<void> {
    const host = options.host ?? "%";
    const identity: unknown[] = [options.user, host];
    let auth: string;
    if (options.plugin === "ed25519") {
      if (this.flavor !== "mariadb") throw new Error("ed25519 is a MariaDB plugin");
      const loaded = await this.rootQuery(
        "SELECT 1 FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519' AND PLUGIN_STATUS = 'ACTIVE'",
      );
      if (loaded.length === 0) await this.rootQuery("INSTALL SONAME 'auth_ed25519'");
      auth = "IDENTIFIED VIA ed25519 USING PASSWORD(?)";
    } else if (options.plugin !== undefined && this.flavor === "mysql") {
      auth = `IDENTIFIED WITH ${options.plugin} BY ?`;
    } else if (options.plugin === "caching_sha2_password") {
      throw new Error("MariaDB has no caching_sha2_password server plugin");
    } else {
      auth = "IDENTIFIED BY ?";
    }
    const requireSsl = options.requireSsl ? " REQUIRE SSL" : "";
    await this.rootQuery(`CREATE USER ?@? ${auth}${requireSsl}`, [...identity, options.password]);
    const privileges = options.privileges ?? [];
    if (privileges.length > 0) {
      for (const privilege of privileges) {
        if (!PRIVILEGE_PATTERN.test(privilege)) throw new Error(`not a privilege keyword: ${privilege}`);
      }
      const on = options.on ?? "*.*";
      if (!GRANT_TARGET_PATTERN.test(on)) throw new Error(`not a grant target: ${on}`);
      await this.rootQuery(`GRANT ${privileges.join(", ")} ON ${on} TO ?@?`, identity);
    }
  }

  async createDatabase(database: string): Promise<void> {
    await this.rootQuery(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}`);
  }

  /** Creates `database.table (id INT [PRIMARY KEY], note VARCHAR(200))`, creating the schema if needed. */
  async createTable(options: TableOptions): Promise<void> {
    await this.createDatabase(options.database);
    const id = options.primaryKey === false ? "id INT NOT NULL" : "id INT NOT NULL PRIMARY KEY";
    const engine = options.engine ?? "InnoDB";
    await this.rootQuery(
      `CREATE TABLE ${quoteIdentifier(options.database)}.${quoteIdentifier(options.table)} (${id}, note VARCHAR(200)) ENGINE=${engine}`,
    );
  }

  /** `SHOW MASTER STATUS` (`SHOW BINARY LOG STATUS` on MySQL 8.2+): the current binlog coordinates, null when binlog is off. */
  async binlogStatus(): Promise<{ file: string; position: number } | null> {
    const modern =
      this.flavor === "mysql" &&
      (this.binary.major > 8 || (this.binary.major === 8 && this.binary.minor >= 2));
    const rows = await this.rootQuery<{ File: string; Position: number | string }>(
      modern ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS",
    );
    const row = rows[0];
    return row ? { file: row.File, position: Number(row.Position) } : null;
  }

  async binaryLogs(): Promise<{ name: string; size: number }[]> {
    const rows = await this.rootQuery<{ Log_name: string; File_size: number | string }>("SHOW BINARY LOGS");
    return rows.map((row) => ({ name: row.Log_name, size: Number(row.File_size) }));
  }

  async flushBinaryLogs(): Promise<void> {
    await this.rootQuery("FLUSH BINARY LOGS");
  }

  async purgeBinaryLogsTo(file: string): Promise<void> {
    await this.rootQuery("PURGE BINARY LOGS TO ?", [file]);
  }

  /**
   * Purges binary logs until `file` is gone. MySQL's PURGE silently keeps a file a binlog dump thread still reads,
   * and a dump thread of a replica that left holds it until it notices: with `endDumpThreads` (use it only when no
   * replica should be connected) those threads are ended first.
   */
  async purgeBinaryLogsUntilGone(
    file: string,
    options: { endDumpThreads?: boolean; timeoutMs?: number } = {},
  ): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (options.endDumpThreads) {
        const dumps = await this.rootQuery<{ ID: number }>(
          "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'",
        );
        for (const { ID } of dumps) await this.rootQuery("KILL ?", [ID]).catch(() => undefined);
      }
      await this.flushBinaryLogs();
      await this.purgeBinaryLogsTo((await this.binaryLogs()).at(-1)!.name);
      if (!(await this.binaryLogs()).some((log) => log.name === file)) return;
      if (Date.now() > deadline) throw new Error(`${file} could not be purged from the source`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Graceful shutdown that keeps the data directory; restart() brings the server back. */
  async shutdown(): Promise<void> {
    await this.closePool();
    const proc = this.process;
    if (!proc || proc.hasExited()) return;
    signal(proc.serverPid, "SIGTERM");
    const timer = setTimeout(() => signal(proc.serverPid, "SIGKILL"), STOP_TIMEOUT_MS);
    await proc.exited;
    clearTimeout(timer);
    this.process = undefined;
    serverJanitor.setServerPid(this.tracked, undefined);
  }

  /** SIGKILL, as in a crash; the data directory stays for restart(). */
  async kill(): Promise<void> {
    await this.closePool();
    const proc = this.process;
    if (!proc || proc.hasExited()) return;
    signal(proc.serverPid, "SIGKILL");
    await proc.exited;
    this.process = undefined;
    serverJanitor.setServerPid(this.tracked, undefined);
  }

  /** Shuts down if running, then starts again on the same port and data directory (crash recovery after kill()). */
  async restart(): Promise<void> {
    if (this.removed) throw new Error("server was stopped and its directory removed");
    await this.shutdown();
    await this.start();
  }

  /** Final: shuts the server down and deletes its directory. Safe to call twice. */
  async stop(): Promise<void> {
    await this.shutdown();
    if (this.removed) return;
    this.removed = true;
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
    serverJanitor.untrack(this.tracked);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
