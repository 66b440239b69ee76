// The Azure-like replica is driven only through mysql.az_replication_* as a non-root admin, and real rows flow from a source over TLS.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Connection } from "mysql2/promise";
import { createTestCa, currentTestCa, type TestCa } from "../../../dev/tls/testCa";
import { startSource } from "../../../dev/mysql/startSource";
import { startAzureLikeReplica } from "../../../dev/mysql/startAzureLikeReplica";
import { type MysqlServer } from "../../../dev/mysql/mysqlServer";
import { readReplicationStatus, type ReplicationStatus } from "../../../dev/mysql/replicationStatus";
import { waitForReplicationStatus } from "../../../dev/mysql/waitForReplicationStatus";
import { ERRNO_BAD_ARGUMENT, ERRNO_REPLICATION_RUNNING } from "../../../dev/mysql/azureReplicationProcedures";

// Quotes, backslash, SQL comment and statement separators, and non-ASCII (BMP) characters.
const HOSTILE_PASSWORD = `p'w"\\;-- é中\\'x`;
const CHANGE_MASTER = "CALL mysql.az_replication_change_master(?, ?, ?, ?, ?, ?, ?)";
const CHANGE_MASTER_GTID = "CALL mysql.az_replication_change_master_with_gtid(?, ?, ?, ?, ?)";

const healthy = (s: ReplicationStatus | null): boolean => s?.ioRunning === "Yes" && s.sqlRunning === "Yes";

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A read may fail until replication has caught up (e.g. the table is not there yet): retry it too.
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await read();
      if (ok(value)) return value;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met; last ${failure ? `error ${failure instanceof Error ? failure.message : "?"}` : `value ${JSON.stringify(value)}`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Azure-like replica", () => {
  let ca: TestCa;
  let source: MysqlServer;
  let replica: MysqlServer;
  let admin: Connection;
  const extra: MysqlServer[] = [];

  beforeAll(async () => {
    ca = await currentTestCa();
    const started = Date.now();
    [source, replica] = await Promise.all([
      startSource({ requireSecureTransport: true }),
      startAzureLikeReplica(),
    ]);
    console.log(
      `source + Azure-like replica started in parallel in ${Date.now() - started} ms ` +
        `(server processes ${source.lastStartMs} ms / ${replica.lastStartMs} ms)`,
    );
    // mysql_native_password: Debian's mariadbd cannot load client_ed25519.so for its IO thread (it sits in libmariadb3's plugin dir).
    await source.createUser({
      user: "repl",
      password: HOSTILE_PASSWORD,
      plugin: "mysql_native_password",
      requireSsl: true,
      privileges: ["REPLICATION SLAVE"],
    });
    await source.createTable({ database: "shop", table: "orders" });
    await replica.createTable({ database: "shop", table: "orders" });
    admin = await replica.connectAsAdmin();
  });

  afterAll(async () => {
    await admin?.end();
    await Promise.all([source, replica, ...extra].filter(Boolean).map((server) => server.stop()));
  });

  // A failed test must not leave a running link behind for the next one.
  beforeEach(async () => {
    await replica.rootQuery("STOP SLAVE");
    await replica.rootQuery("RESET SLAVE ALL");
  });

  async function linkFromCurrentPosition(masterSslCa: string, password = HOSTILE_PASSWORD): Promise<void> {
    const position = await source.binlogStatus();
    await admin.execute(CHANGE_MASTER, [
      "127.0.0.1",
      "repl",
      password,
      source.port,
      position!.file,
      position!.position,
      masterSslCa,
    ]);
  }

  it("looks like Azure: TLS required, lower_case_table_names=1, own server_id, an admin without SUPER", async () => {
    expect(await replica.variable("require_secure_transport")).toBe("ON");
    expect(await replica.variable("lower_case_table_names")).toBe("1");
    expect(await replica.variable("log_bin")).toBe("ON");
    expect(replica.serverId).not.toBe(source.serverId);
    expect(replica.adminUser).toBe("azureadmin");
    const [grantRows] = await admin.query("SHOW GRANTS");
    const grants = JSON.stringify(grantRows);
    expect(grants).not.toMatch(/SUPER|REPLICATION SLAVE ADMIN|BINLOG ADMIN|ALL PRIVILEGES/);
    expect(grants).toMatch(/CREATE USER/);
    await expect(
      replica.connect({ user: "azureadmin", password: replica.adminPassword!, tls: false }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
  });

  it("refuses CHANGE MASTER, START SLAVE and SET GLOBAL gtid_slave_pos from the admin, but runs the procedure", async () => {
    await expect(admin.query("CHANGE MASTER TO MASTER_HOST = '127.0.0.1'")).rejects.toMatchObject({
      errno: 1227,
    });
    await expect(admin.query("START SLAVE")).rejects.toMatchObject({ errno: 1227 });
    await expect(admin.query("SET GLOBAL gtid_slave_pos = '0-1-1'")).rejects.toMatchObject({ errno: 1227 });
    await admin.execute(CHANGE_MASTER, ["127.0.0.1", "repl", "pw", source.port, "binlog.000001", 4, ""]);
    const status = await readReplicationStatus(admin);
    expect(status).toMatchObject({
      masterHost: "127.0.0.1",
      masterPort: source.port,
      ioRunning: "No",
      sslAllowed: false,
    });
    await admin.query("CALL mysql.az_replication_remove_master()");
  });

  it("stores hostile host, user, password, log file and CA text byte for byte, and refuses what the server cannot store", async () => {
    const host = `h'o"st\\name;DROP TABLE x;-- é`;
    const user = `u'"\\%_é中`;
    const logFile = `bin'log\\".000001`;
    const pem = `-----BEGIN CERTIFICATE-----\n'"\\ \u00e9 ${"A".repeat(64)}\n-----END CERTIFICATE-----\n`;
    await admin.execute(CHANGE_MASTER, [host, user, HOSTILE_PASSWORD, 3306, logFile, 1234, pem]);
    const status = await readReplicationStatus(admin);
    expect(status).toMatchObject({
      masterHost: host,
      masterUser: user,
      masterLogFile: logFile,
      readMasterLogPos: 1234,
    });
    expect(status?.sslAllowed).toBe(true);
    expect(await readFile(status!.sslCaFile, "utf8")).toBe(pem);
    // master.info is one field per line: count, log file, position, host, user, password, port.
    const masterInfo = (await readFile(join(replica.dataDir, "master.info"), "utf8")).split("\n");
    expect(masterInfo.slice(1, 7)).toEqual([logFile, "1234", host, user, HOSTILE_PASSWORD, "3306"]);

    for (const bad of ["a\0b", "a\nb", "emoji 😀"]) {
      await expect(
        admin.execute(CHANGE_MASTER, ["127.0.0.1", "repl", bad, 3306, "binlog.000001", 4, ""]),
      ).rejects.toMatchObject({ errno: ERRNO_BAD_ARGUMENT });
    }
    await expect(
      admin.execute(CHANGE_MASTER, ["127.0.0.1", "repl", "pw", 70000, "binlog.000001", 4, ""]),
    ).rejects.toMatchObject({ errno: ERRNO_BAD_ARGUMENT });
    // The refused calls left the earlier link untouched.
    expect((await readReplicationStatus(admin))?.masterHost).toBe(host);
    await admin.query("CALL mysql.az_replication_remove_master()");
  });

  it("replicates rows over TLS with master_ssl_ca = the CA PEM, refuses to relink while running, and remove_master clears the link", async () => {
    await linkFromCurrentPosition(ca.caCertPem);
    await admin.query("CALL mysql.az_replication_start()");
    const status = await waitForReplicationStatus(admin, healthy);
    expect(status).toMatchObject({ sslAllowed: true, lastIoErrno: 0, masterServerId: source.serverId });

    await source.rootQuery("INSERT INTO shop.orders VALUES (1, 'first'), (2, 'second')");
    await eventually(
      () => replica.rootQuery("SELECT id, note FROM shop.orders ORDER BY id"),
      (rows) => rows.length === 2,
    );
    expect(await replica.rootQuery("SELECT id, note FROM shop.orders ORDER BY id")).toEqual([
      { id: 1, note: "first" },
      { id: 2, note: "second" },
    ]);
    // The source sees the replica's binlog dump connection as TLS-protected.
    const [sslCipher] = await source.rootQuery<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'");
    expect(Number(sslCipher?.Value)).toBeGreaterThan(0);

    await expect(
      admin.execute(CHANGE_MASTER, ["127.0.0.1", "repl", "x", source.port, "binlog.000001", 4, ""]),
    ).rejects.toMatchObject({
      errno: ERRNO_REPLICATION_RUNNING,
      message: expect.stringMatching(/az_replication_stop/),
    });
    expect((await readReplicationStatus(admin))?.ioRunning).toBe("Yes");

    await admin.query("CALL mysql.az_replication_stop()");
    expect(await readReplicationStatus(admin)).toMatchObject({ ioRunning: "No", sqlRunning: "No" });
    await admin.query("CALL mysql.az_replication_remove_master()");
    expect(await readReplicationStatus(admin)).toBeNull();
  });

  it("fails the IO thread with 1045 without TLS for a REQUIRE SSL user, and with 2026 for a wrong CA", async () => {
    await linkFromCurrentPosition("");
    await admin.query("CALL mysql.az_replication_start()");
    const noTls = await waitForReplicationStatus(admin, (s) => (s?.lastIoErrno ?? 0) !== 0);
    expect(noTls?.lastIoErrno).toBe(1045);
    await admin.query("CALL mysql.az_replication_stop()");

    // A second CA inside the run's CA directory, which the runner removes.
    const otherCa = await createTestCa(join(ca.dir, `other-${process.pid}`));
    await linkFromCurrentPosition(otherCa.caCertPem);
    await admin.query("CALL mysql.az_replication_start()");
    const wrongCa = await waitForReplicationStatus(admin, (s) => (s?.lastIoErrno ?? 0) !== 0);
    expect(wrongCa?.lastIoErrno).toBe(2026);
    await admin.query("CALL mysql.az_replication_remove_master()");
  });

  it("skip_counter skips exactly the one conflicting transaction, then later rows apply", async () => {
    await linkFromCurrentPosition(ca.caCertPem);
    await admin.query("CALL mysql.az_replication_start()");
    await waitForReplicationStatus(admin, healthy);

    await admin.query("INSERT INTO shop.orders VALUES (100, 'replica-only')");
    await source.rootQuery("INSERT INTO shop.orders VALUES (100, 'from-source')");
    await source.rootQuery("INSERT INTO shop.orders VALUES (101, 'after-1')");
    await source.rootQuery("INSERT INTO shop.orders VALUES (102, 'after-2')");
    const broken = await waitForReplicationStatus(admin, (s) => s?.sqlRunning === "No");
    expect(broken).toMatchObject({ lastSqlErrno: 1062, ioRunning: "Yes" });
    expect(await replica.rootQuery("SELECT id FROM shop.orders WHERE id > 100")).toEqual([]);

    await admin.query("CALL mysql.az_replication_skip_counter()");
    await waitForReplicationStatus(admin, (s) => healthy(s) && s?.lastSqlErrno === 0);
    const rows = await eventually(
      () =>
        replica.rootQuery<{ id: number; note: string }>(
          "SELECT id, note FROM shop.orders WHERE id >= 100 ORDER BY id",
        ),
      (r) => r.length === 3,
    );
    expect(rows).toEqual([
      { id: 100, note: "replica-only" },
      { id: 101, note: "after-1" },
      { id: 102, note: "after-2" },
    ]);
    await admin.query("CALL mysql.az_replication_remove_master()");
  });

  it("links by GTID (MASTER_USE_GTID=slave_pos), replicates, and skip_gtid_transaction skips the failing GTID", async () => {
    const [gtidSource, gtidReplica] = await Promise.all([
      startSource({ gtidStrictMode: true, label: "gtidsrc" }),
      startAzureLikeReplica({ label: "gtidrep" }),
    ]);
    extra.push(gtidSource, gtidReplica);
    await gtidSource.createUser({
      user: "repl",
      password: HOSTILE_PASSWORD,
      privileges: ["REPLICATION SLAVE"],
    });
    await gtidSource.createTable({ database: "app", table: "t" });
    await gtidSource.rootQuery("INSERT INTO app.t VALUES (1, 'one')");
    const gtidAdmin = await gtidReplica.connectAsAdmin();
    try {
      await gtidAdmin.execute(CHANGE_MASTER_GTID, [
        "127.0.0.1",
        "repl",
        HOSTILE_PASSWORD,
        gtidSource.port,
        ca.caCertPem,
      ]);
      await gtidAdmin.query("CALL mysql.az_replication_start()");
      const status = await waitForReplicationStatus(gtidAdmin, healthy);
      expect(status).toMatchObject({ usingGtid: "Slave_Pos", sslAllowed: true });
      await eventually(
        () => gtidReplica.rootQuery("SELECT note FROM app.t"),
        (rows) => rows.length === 1,
      );

      await gtidAdmin.query("INSERT INTO app.t VALUES (2, 'replica-only')");
      await gtidSource.rootQuery("INSERT INTO app.t VALUES (2, 'conflict')");
      const [{ pos: failingGtid } = { pos: "" }] = await gtidSource.rootQuery<{ pos: string }>(
        "SELECT @@GLOBAL.gtid_binlog_pos AS pos",
      );
      await gtidSource.rootQuery("INSERT INTO app.t VALUES (3, 'after')");
      const broken = await waitForReplicationStatus(gtidAdmin, (s) => s?.sqlRunning === "No");
      expect(broken?.lastSqlErrno).toBe(1062);

      await expect(
        gtidAdmin.execute("CALL mysql.az_replication_skip_gtid_transaction(?)", ["3E11FA47-71CA:23"]),
      ).rejects.toMatchObject({
        errno: ERRNO_BAD_ARGUMENT,
      });
      await gtidAdmin.execute("CALL mysql.az_replication_skip_gtid_transaction(?)", [failingGtid]);
      await waitForReplicationStatus(gtidAdmin, (s) => healthy(s) && s?.lastSqlErrno === 0);
      const rows = await eventually(
        () => gtidReplica.rootQuery<{ id: number; note: string }>("SELECT id, note FROM app.t ORDER BY id"),
        (r) => r.length === 3,
      );
      expect(rows).toEqual([
        { id: 1, note: "one" },
        { id: 2, note: "replica-only" },
        { id: 3, note: "after" },
      ]);
      // Skipping a transaction that was already applied is refused, like on Azure.
      await expect(
        gtidAdmin.execute("CALL mysql.az_replication_skip_gtid_transaction(?)", [failingGtid]),
      ).rejects.toMatchObject({
        errno: ERRNO_BAD_ARGUMENT,
      });
      expect(healthy(await waitForReplicationStatus(gtidAdmin, healthy))).toBe(true);
    } finally {
      await gtidAdmin.end();
    }
  });
});
