// A throwaway source runs Oracle MySQL 9.x and honours every option a validation test needs (binlog, GTID, server_id, TLS, case, users); a MariaDB source still starts.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { currentTestCa } from "../../../dev/tls/testCa";
import { sourceArgs, startMariadbSource, startSource } from "../../../dev/mysql/startSource";
import { type MysqlServer } from "../../../dev/mysql/mysqlServer";

async function uuidOf(server: MysqlServer): Promise<string> {
  const [row] = await server.rootQuery<{ uuid: string }>("SELECT @@GLOBAL.server_uuid AS uuid");
  return row!.uuid;
}

async function tlsVersionOf(server: MysqlServer, user: string, password: string): Promise<string> {
  const connection = await server.connect({ user, password });
  try {
    const [rows] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
    return (rows as { Value: string }[])[0]?.Value ?? "";
  } finally {
    await connection.end();
  }
}

describe("startSource (Oracle MySQL)", () => {
  /** Defaults: the run's CA, binlog ROW, gtid_mode OFF, lower_case_table_names 0. */
  let plain: MysqlServer;
  /** Same template as `plain` (lower_case_table_names 0): binlog off, server_id 0, no TLS material. */
  let twin: MysqlServer;
  /** gtid_mode ON, STATEMENT, require_secure_transport, lower_case_table_names 1 (another template), retention. */
  let strict: MysqlServer;
  let maria: MysqlServer;

  beforeAll(async () => {
    const started = Date.now();
    [plain, twin, strict, maria] = await Promise.all([
      startSource(),
      startSource({ logBin: false, serverId: 0, ca: null, label: "twin" }),
      startSource({
        gtidMode: "ON",
        binlogFormat: "STATEMENT",
        requireSecureTransport: true,
        lowerCaseTableNames: 1,
        binlogExpireLogsSeconds: 3600,
        label: "strict",
      }),
      startMariadbSource({ label: "maria" }),
    ]);
    console.log(
      `3 MySQL sources + 1 MariaDB source started in parallel in ${Date.now() - started} ms ` +
        `(server processes ${[plain, twin, strict, maria].map((s) => s.lastStartMs).join(" / ")} ms)`,
    );
  });

  afterAll(async () => {
    await Promise.all([plain, twin, strict, maria].filter(Boolean).map((server) => server.stop()));
  });

  it("runs Oracle MySQL 9.x by default, with MySQL's own option names", async () => {
    expect(plain.flavor).toBe("mysql");
    expect(plain.binary.major).toBe(9);
    expect(plain.version).toMatch(/^9\.\d+\.\d+$/);
    expect(await plain.variable("version")).toMatch(new RegExp(`^${plain.version.replace(/\./g, "\\.")}`));
    expect(await plain.variable("version_comment")).not.toMatch(/mariadb/i);
    // The flavor decides the spelling: MySQL has no --skip-log-bin alias for its own binlog switch here.
    expect(sourceArgs(plain.binary, { logBin: false })).toContain("--disable-log-bin");
    expect(sourceArgs(maria.binary, { logBin: false })).toContain("--skip-log-bin");
    expect(sourceArgs(plain.binary, {})).toEqual(
      expect.arrayContaining(["--gtid-mode=OFF", "--enforce-gtid-consistency=OFF"]),
    );
    expect(sourceArgs(maria.binary, { gtidMode: "ON" }).some((arg) => arg.startsWith("--gtid-mode"))).toBe(
      false,
    );
    // MySQL 8 removed expire_logs_days: asking for it is a mistake, not something to ignore.
    expect(() => sourceArgs(plain.binary, { expireLogsDays: 2 })).toThrow(/binlogExpireLogsSeconds/);
    await expect(startSource({ expireLogsDays: 2, ca: null })).rejects.toThrow(/expire_logs_days/);
    // The X plugin is off: no second listener on 33060.
    expect(await plain.variable("mysqlx_port")).toBeNull();
    expect(await plain.variable("secure_file_priv")).toBe(`${plain.filesDir}/`);
  });

  it("defaults to binlog ROW, gtid_mode OFF, TLS from the run's CA, lower_case_table_names 0, own server_id and port", async () => {
    expect(await plain.variable("log_bin")).toBe("ON");
    expect(await plain.variable("binlog_format")).toBe("ROW");
    // MySQL 9's own default is ON; the kit pins OFF so a test says when it wants GTIDs.
    expect(await plain.variable("gtid_mode")).toBe("OFF");
    expect(await plain.variable("enforce_gtid_consistency")).toBe("OFF");
    expect(await plain.variable("require_secure_transport")).toBe("OFF");
    expect(await plain.variable("lower_case_table_names")).toBe("0");
    expect(await plain.variable("server_id")).toBe(String(plain.serverId));
    expect(plain.serverId).not.toBe(strict.serverId);
    expect(new Set([plain.port, twin.port, strict.port, maria.port]).size).toBe(4);
    expect(plain.caCertPem).toBe((await currentTestCa()).caCertPem);
    // SHOW BINARY LOG STATUS (SHOW MASTER STATUS is gone in 8.4+).
    expect(await plain.binlogStatus()).toEqual({ file: "binlog.000001", position: expect.any(Number) });
  });

  it("turns gtid_mode ON with enforce_gtid_consistency ON, and applies STATEMENT, require_secure_transport, retention", async () => {
    expect(await strict.variable("gtid_mode")).toBe("ON");
    expect(await strict.variable("enforce_gtid_consistency")).toBe("ON");
    expect(await strict.variable("binlog_format")).toBe("STATEMENT");
    expect(await strict.variable("require_secure_transport")).toBe("ON");
    expect(await strict.variable("binlog_expire_logs_seconds")).toBe("3600");
    await strict.createTable({ database: "g", table: "t" });
    const [row] = await strict.rootQuery<{ executed: string }>("SELECT @@GLOBAL.gtid_executed AS executed");
    expect(row?.executed).toMatch(new RegExp(`^${await uuidOf(strict)}:1-\\d+$`));
    // enforce_gtid_consistency ON: a non-transactional table written inside a transaction cannot get one GTID.
    await strict.createTable({ database: "g", table: "m", engine: "MyISAM" });
    const connection = await strict.rootConnection();
    try {
      await connection.query("START TRANSACTION");
      await connection.query("INSERT INTO g.t VALUES (1, 'x')");
      await expect(connection.query("INSERT INTO g.m VALUES (1, 'x')")).rejects.toMatchObject({
        errno: 1785,
      });
    } finally {
      await connection.end();
    }
  });

  it("turns the binlog off and runs with server_id 0, which only Oracle MySQL allows", async () => {
    expect(await twin.variable("log_bin")).toBe("OFF");
    expect(await twin.variable("server_id")).toBe("0");
    expect(twin.serverId).toBe(0);
    expect(twin.caCertPem).toBeUndefined();
    expect(await twin.binlogStatus()).toBeNull();
    await expect(twin.binaryLogs()).rejects.toMatchObject({ errno: 1381 });
  });

  it("gives every server its own server_uuid, also two copies of one template", async () => {
    const uuids = await Promise.all([plain, twin, strict].map(uuidOf));
    for (const uuid of uuids)
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // plain and twin are copies of the same lower_case_table_names=0 template: equal UUIDs would break replication (13117).
    expect(new Set(uuids).size).toBe(3);
    // The UUID is generated at first start and written to the copy's own auto.cnf.
    expect(await readFile(join(plain.dataDir, "auto.cnf"), "utf8")).toContain(`server-uuid=${uuids[0]}`);
  });

  it("keeps one template per lower_case_table_names value: 0 is case-sensitive, 1 folds names to lower case", async () => {
    expect(await strict.variable("lower_case_table_names")).toBe("1");
    await strict.createTable({ database: "Case", table: "MixedCase" });
    expect(await strict.rootQuery("SHOW TABLES FROM `case`")).toEqual([{ Tables_in_case: "mixedcase" }]);
    await expect(strict.createTable({ database: "case", table: "MIXEDCASE" })).rejects.toMatchObject({
      errno: 1050,
    });

    await plain.createTable({ database: "Case", table: "T" });
    await plain.createTable({ database: "Case", table: "t" });
    expect(await plain.rootQuery("SHOW TABLES FROM `Case`")).toEqual([
      { Tables_in_Case: "T" },
      { Tables_in_Case: "t" },
    ]);
    await expect(plain.rootQuery("SHOW TABLES FROM `case`")).rejects.toMatchObject({ errno: 1049 });
  });

  it("creates caching_sha2_password users (the only plugin) that log in over TLS; REQUIRE SSL and require_secure_transport refuse plain TCP", async () => {
    await plain.createUser({ user: "app", password: "secret'\\\"", privileges: ["SELECT"] });
    await plain.createUser({
      user: "repl",
      password: "r'epl",
      requireSsl: true,
      privileges: ["REPLICATION SLAVE"],
    });
    const users = await plain.rootQuery<{ User: string; plugin: string; ssl_type: string }>(
      "SELECT User, plugin, ssl_type FROM mysql.user WHERE User IN ('app', 'repl') ORDER BY User",
    );
    expect(users).toEqual([
      { User: "app", plugin: "caching_sha2_password", ssl_type: "" },
      { User: "repl", plugin: "caching_sha2_password", ssl_type: "ANY" },
    ]);
    expect(await tlsVersionOf(plain, "app", "secret'\\\"")).toMatch(/^TLSv1\.[23]$/);
    expect(await tlsVersionOf(plain, "repl", "r'epl")).toMatch(/^TLSv1\.[23]$/);

    // REQUIRE SSL over plain TCP: 1045, the message does not say why.
    await expect(plain.connect({ user: "repl", password: "r'epl", tls: false })).rejects.toMatchObject({
      errno: 1045,
    });
    // mysql2 completes caching_sha2_password over plain TCP by fetching the server's RSA key; libmysqlclient
    // (the replica's IO thread) does not, and gets 2061: see the Azure-like replica test.
    const insecure = await plain.connect({ user: "app", password: "secret'\\\"", tls: false });
    await insecure.end();
    await expect(plain.connect({ user: "app", password: "wrong", tls: false })).rejects.toMatchObject({
      errno: 1045,
    });

    // require_secure_transport: MySQL answers 3159 (MariaDB 10.11 said 1045).
    await strict.createUser({ user: "plain", password: "pw" });
    await expect(strict.connect({ user: "plain", password: "pw", tls: false })).rejects.toMatchObject({
      errno: 3159,
      code: "ER_SECURE_TRANSPORT_REQUIRED",
    });
    expect(await tlsVersionOf(strict, "plain", "pw")).toMatch(/^TLSv1\.[23]$/);

    // MySQL 9 has no mysql_native_password and no ed25519.
    await expect(
      plain.createUser({ user: "native", password: "n", plugin: "mysql_native_password" }),
    ).rejects.toMatchObject({ errno: 1524 });
    await expect(plain.createUser({ user: "ed", password: "e", plugin: "ed25519" })).rejects.toThrow(
      /MariaDB plugin/,
    );
    const grants = await plain.rootQuery("SHOW GRANTS FOR 'repl'@'%'");
    expect(JSON.stringify(grants)).toContain("GRANT REPLICATION SLAVE ON *.* TO `repl`@`%`");
    await expect(
      plain.createUser({ user: "x", password: "x", privileges: ["SELECT; DROP"] }),
    ).rejects.toThrow(/not a privilege/);
    await expect(
      plain.createUser({ user: "y", password: "y", privileges: ["SELECT"], on: "a.b; DROP" }),
    ).rejects.toThrow(/not a grant target/);
  });

  it("creates tables with and without keys, flushes and purges binlogs", async () => {
    await plain.createTable({ database: "shop", table: "orders" });
    await plain.createTable({ database: "shop", table: "nokey", primaryKey: false });
    await plain.createTable({ database: "shop", table: "legacy", engine: "MyISAM" });
    const tables = await plain.rootQuery<{ TABLE_NAME: string; ENGINE: string; keys: number }>(
      "SELECT t.TABLE_NAME, t.ENGINE, COUNT(c.CONSTRAINT_NAME) AS `keys` FROM information_schema.TABLES t " +
        "LEFT JOIN information_schema.TABLE_CONSTRAINTS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND " +
        "c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY' WHERE t.TABLE_SCHEMA = ? " +
        "GROUP BY t.TABLE_NAME, t.ENGINE ORDER BY t.TABLE_NAME",
      ["shop"],
    );
    expect(tables.map((t) => [t.TABLE_NAME, t.ENGINE, Number(t.keys)])).toEqual([
      ["legacy", "MyISAM", 1],
      ["nokey", "InnoDB", 0],
      ["orders", "InnoDB", 1],
    ]);

    const first = await plain.binlogStatus();
    await plain.flushBinaryLogs();
    await plain.flushBinaryLogs();
    expect((await plain.binaryLogs()).length).toBeGreaterThanOrEqual(3);
    const current = await plain.binlogStatus();
    expect(current?.file).toBe("binlog.000003");
    expect(current?.file).not.toBe(first?.file);
    await plain.purgeBinaryLogsTo(current!.file);
    expect((await plain.binaryLogs()).map((log) => log.name)).toEqual([current!.file]);
  });

  it("survives a SIGKILL crash and restarts on the same data, port and server_uuid", async () => {
    await plain.createTable({ database: "crash", table: "t" });
    await plain.rootQuery("INSERT INTO crash.t VALUES (1, 'kept')");
    const port = plain.port;
    const uuid = await uuidOf(plain);
    const pid = plain.pid!;
    await plain.kill();
    expect(plain.isRunning()).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await plain.restart();
    expect(plain.isRunning()).toBe(true);
    expect(plain.pid).not.toBe(pid);
    expect(plain.port).toBe(port);
    expect(await uuidOf(plain)).toBe(uuid);
    expect(await plain.rootQuery("SELECT note FROM crash.t")).toEqual([{ note: "kept" }]);
  });

  it("still starts a MariaDB source (the mistake the app must refuse), and refuses server_id 0 there", async () => {
    expect(maria.flavor).toBe("mariadb");
    expect(maria.version).toMatch(/^1\d\.\d+\.\d+$/);
    expect(await maria.variable("version")).toMatch(/MariaDB/);
    expect(await maria.variable("log_bin")).toBe("ON");
    expect(await maria.variable("server_id")).toBe(String(maria.serverId));
    // MariaDB has its own GTIDs; MySQL's gtid_mode does not exist there.
    expect(await maria.variable("gtid_mode")).toBeNull();
    expect(await maria.variable("gtid_domain_id")).not.toBeNull();
    expect(await tlsVersionOfMaria(maria)).toMatch(/^TLSv1\.[23]$/);
    await expect(startMariadbSource({ serverId: 0, ca: null })).rejects.toThrow(/server_id 0/);
  });
});

async function tlsVersionOfMaria(server: MysqlServer): Promise<string> {
  await server.createUser({ user: "app", password: "pw" });
  return tlsVersionOf(server, "app", "pw");
}
