// A throwaway source starts fast and honours every option a validation test needs (binlog, server_id, TLS, retention, users).
import { currentTestCa } from "../../../dev/tls/testCa";
import { startSource } from "../../../dev/mysql/startSource";
import { type MysqlServer } from "../../../dev/mysql/mysqlServer";

describe("startSource", () => {
  const started: MysqlServer[] = [];
  const track = (server: MysqlServer): MysqlServer => {
    started.push(server);
    return server;
  };
  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
  });

  it("starts a default source with binlog ROW, TLS from the run's CA, and reports its start time", async () => {
    const before = Date.now();
    const source = track(await startSource());
    const second = track(await startSource());
    console.log(
      `source start: first ${Date.now() - before} ms total (template + cert + server ${source.lastStartMs} ms), ` +
        `next server process ${second.lastStartMs} ms`,
    );
    expect(source.flavor).toBe("mariadb");
    expect(source.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await source.variable("log_bin")).toBe("ON");
    expect(await source.variable("binlog_format")).toBe("ROW");
    expect(await source.variable("server_id")).toBe(String(source.serverId));
    expect(second.serverId).not.toBe(source.serverId);
    expect(second.port).not.toBe(source.port);
    expect(second.dataDir).not.toBe(source.dataDir);

    const ca = await currentTestCa();
    expect(source.caCertPem).toBe(ca.caCertPem);
    await source.createUser({ user: "app", password: "secret'\\\"", privileges: ["SELECT"] });
    const connection = await source.connect({ user: "app", password: "secret'\\\"" });
    try {
      const [rows] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
      expect((rows as { Value: string }[])[0]?.Value).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await connection.end();
    }
  });

  it("applies logBin off, STATEMENT format, server_id 0, require_secure_transport, lower_case_table_names and retention", async () => {
    await expect(startSource({ serverId: 0, ca: null })).rejects.toThrow(/server_id 0/);
    const noBinlog = track(await startSource({ logBin: false, serverId: 1, ca: null }));
    expect(await noBinlog.variable("log_bin")).toBe("OFF");
    expect(await noBinlog.variable("server_id")).toBe("1");
    expect(noBinlog.caCertPem).toBeUndefined();
    expect(await noBinlog.binlogStatus()).toBeNull();

    const strict = track(
      await startSource({
        binlogFormat: "STATEMENT",
        requireSecureTransport: true,
        lowerCaseTableNames: 1,
        binlogExpireLogsSeconds: 3600,
        gtidStrictMode: true,
        gtidDomainId: 7,
      }),
    );
    expect(await strict.variable("binlog_format")).toBe("STATEMENT");
    expect(await strict.variable("require_secure_transport")).toBe("ON");
    expect(await strict.variable("lower_case_table_names")).toBe("1");
    expect(await strict.variable("binlog_expire_logs_seconds")).toBe("3600");
    expect(await strict.variable("gtid_strict_mode")).toBe("ON");
    expect(await strict.variable("gtid_domain_id")).toBe("7");
    await strict.createUser({ user: "plain", password: "pw" });
    // MariaDB 10.11 answers a plain-TCP login under require_secure_transport with 1045, not MySQL's 3159.
    await expect(strict.connect({ user: "plain", password: "pw", tls: false })).rejects.toMatchObject({
      errno: 1045,
    });
    const secure = await strict.connect({ user: "plain", password: "pw" });
    await secure.end();

    const mixed = track(await startSource({ binlogFormat: "MIXED", expireLogsDays: 2, ca: null }));
    expect(await mixed.variable("binlog_format")).toBe("MIXED");
    expect(await mixed.variable("expire_logs_days")).toBe("2.000000");
  });

  it("creates users with plugins, REQUIRE SSL and grants; tables with and without keys; flushes and purges binlogs", async () => {
    const source = track(await startSource());
    await source.createUser({
      user: "repl",
      password: "r'epl",
      plugin: "ed25519",
      requireSsl: true,
      privileges: ["REPLICATION SLAVE"],
    });
    await source.createUser({ user: "native", password: "n", plugin: "mysql_native_password" });
    const users = await source.rootQuery<{ User: string; plugin: string }>(
      "SELECT User, JSON_VALUE(Priv, '$.plugin') AS plugin FROM mysql.global_priv " +
        "WHERE User IN ('repl', 'native') ORDER BY User",
    );
    expect(users).toEqual([
      { User: "native", plugin: "mysql_native_password" },
      { User: "repl", plugin: "ed25519" },
    ]);
    const showRepl = JSON.stringify(await source.rootQuery("SHOW CREATE USER 'repl'@'%'"));
    expect(showRepl).toContain("REQUIRE SSL");
    expect(JSON.stringify(await source.rootQuery("SHOW CREATE USER 'native'@'%'"))).not.toContain(
      "REQUIRE SSL",
    );
    const grants = await source.rootQuery("SHOW GRANTS FOR 'repl'@'%'");
    expect(JSON.stringify(grants)).toContain("REPLICATION SLAVE");
    await expect(
      source.createUser({ user: "x", password: "x", privileges: ["SELECT; DROP"] }),
    ).rejects.toThrow(/not a privilege/);

    await source.createTable({ database: "shop", table: "orders" });
    await source.createTable({ database: "shop", table: "nokey", primaryKey: false });
    await source.createTable({ database: "shop", table: "legacy", engine: "MyISAM" });
    const tables = await source.rootQuery<{ TABLE_NAME: string; ENGINE: string; keys: number }>(
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

    const first = await source.binlogStatus();
    await source.flushBinaryLogs();
    await source.flushBinaryLogs();
    const logs = await source.binaryLogs();
    expect(logs.length).toBeGreaterThanOrEqual(3);
    const current = await source.binlogStatus();
    expect(current?.file).not.toBe(first?.file);
    await source.purgeBinaryLogsTo(current!.file);
    expect((await source.binaryLogs()).map((log) => log.name)).toEqual([current!.file]);
  });

  it("survives a SIGKILL crash and restarts on the same data and port", async () => {
    const source = track(await startSource({ ca: null }));
    await source.createTable({ database: "crash", table: "t" });
    await source.rootQuery("INSERT INTO crash.t VALUES (1, 'kept')");
    const port = source.port;
    const pid = source.pid!;
    await source.kill();
    expect(source.isRunning()).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await source.restart();
    expect(source.isRunning()).toBe(true);
    expect(source.port).toBe(port);
    expect(await source.rootQuery("SELECT note FROM crash.t")).toEqual([{ note: "kept" }]);
  });
});
