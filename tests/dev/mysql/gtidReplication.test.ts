// GTID linking on the Azure-like replica (Oracle MySQL): GTID state set as resetGtid does, skip_counter vs skip_gtid_transaction, and a skip that holds across reconnects.
import { type Connection } from "mysql2/promise";
import { currentTestCa } from "../../../dev/tls/testCa";
import { startSource } from "../../../dev/mysql/startSource";
import { startAzureLikeReplica } from "../../../dev/mysql/startAzureLikeReplica";
import { type MysqlServer } from "../../../dev/mysql/mysqlServer";
import { readReplicationStatus } from "../../../dev/mysql/replicationStatus";
import { ERRNO_BAD_ARGUMENT } from "../../../dev/mysql/azureReplicationProcedures";
import {
  CHANGE_MASTER_GTID,
  SKIP_GTID,
  eventually,
  failedWorkers,
  healthy,
  waitForStatus,
} from "./replicationHelpers";

const PASSWORD = `g'"\\tid-pw`;

describe("GTID replication into the Azure-like replica", () => {
  let source: MysqlServer;
  let replica: MysqlServer;
  let admin: Connection;
  let sourceUuid: string;

  async function gtidExecuted(server: MysqlServer): Promise<string> {
    const [row] = await server.rootQuery<{ executed: string }>("SELECT @@GLOBAL.gtid_executed AS executed");
    return row!.executed;
  }

  async function replicaHas(gtid: string): Promise<boolean> {
    const [row] = await replica.rootQuery<{ has: number }>(
      "SELECT GTID_SUBSET(?, @@GLOBAL.gtid_executed) AS has",
      [gtid],
    );
    return Number(row?.has) === 1;
  }

  const rows = (): Promise<{ id: number; note: string }[]> =>
    replica.rootQuery<{ id: number; note: string }>("SELECT id, note FROM app.t ORDER BY id");

  /** Source inserts `id` and returns the GTID it got (the source's own UUID, the last number of its gtid_executed). */
  async function insertOnSource(id: number, note: string): Promise<string> {
    await source.rootQuery("INSERT INTO app.t VALUES (?, ?)", [id, note]);
    const last = /:(?:\d+-)?(\d+)$/.exec(await gtidExecuted(source))?.[1];
    return `${sourceUuid}:${last}`;
  }

  beforeAll(async () => {
    const ca = await currentTestCa();
    [source, replica] = await Promise.all([
      startSource({ gtidMode: "ON", label: "gtidsrc" }),
      startAzureLikeReplica({ gtidMode: "ON", label: "gtidrep" }),
    ]);
    sourceUuid = (await source.variable("server_uuid"))!;
    await source.createUser({
      user: "repl",
      password: PASSWORD,
      requireSsl: true,
      privileges: ["REPLICATION SLAVE"],
    });
    await source.createTable({ database: "app", table: "t" });
    await source.rootQuery("INSERT INTO app.t VALUES (1, 'one')");
    // What a restored dump leaves: the same rows, and (Azure's resetGtid ARM action) the source's GTID state.
    await replica.createTable({ database: "app", table: "t" });
    await replica.rootQuery("INSERT INTO app.t VALUES (1, 'one')");
    const sourceExecuted = await gtidExecuted(source);
    await replica.rootQuery("RESET BINARY LOGS AND GTIDS");
    await replica.rootQuery("SET GLOBAL gtid_purged = ?", [sourceExecuted]);
    admin = await replica.connectAsAdmin();
    await admin.execute(CHANGE_MASTER_GTID, ["127.0.0.1", "repl", PASSWORD, source.port, ca.caCertPem]);
  });

  afterAll(async () => {
    await admin?.end();
    await Promise.all([source, replica].filter(Boolean).map((server) => server.stop()));
  });

  it("runs both sides with gtid_mode ON, and the replica starts from the source's GTID state", async () => {
    expect(await source.variable("gtid_mode")).toBe("ON");
    expect(await replica.variable("gtid_mode")).toBe("ON");
    expect(await replica.variable("enforce_gtid_consistency")).toBe("ON");
    expect(await gtidExecuted(replica)).toBe(await gtidExecuted(source));
    expect(await readReplicationStatus(admin)).toMatchObject({ usingGtid: "1", sslAllowed: true });
  });

  it("links with change_master_with_gtid, and rows replicate from after the dump", async () => {
    await admin.query("CALL mysql.az_replication_start()");
    await waitForStatus(admin, healthy);
    const gtid = await insertOnSource(2, "two");
    await eventually(rows, (r) => r.length === 2);
    expect(await rows()).toEqual([
      { id: 1, note: "one" },
      { id: 2, note: "two" },
    ]);
    expect(await replicaHas(gtid)).toBe(true);
    // Nothing before the dump was fetched again (the CREATE TABLE would have failed with 1050).
    const status = await waitForStatus(admin, (s) => s?.gtidIoPos === gtid);
    expect(status).toMatchObject({ lastSqlErrno: 0, lastIoErrno: 0 });
  });

  it("refuses a malformed GTID, a set or a range with 1210, and leaves replication running", async () => {
    for (const bad of [
      null,
      "",
      "not-a-gtid",
      `${sourceUuid}`,
      `${sourceUuid}:1-5`,
      `${sourceUuid}:1,${sourceUuid}:2`,
      `${sourceUuid}:1:2`,
      `${sourceUuid}:x`,
      ` ${sourceUuid}:1`,
      `${sourceUuid}:0`,
      `${sourceUuid}:tag:1`,
    ]) {
      await expect(admin.execute(SKIP_GTID, [bad])).rejects.toMatchObject({ errno: ERRNO_BAD_ARGUMENT });
    }
    expect(healthy(await readReplicationStatus(admin))).toBe(true);
  });

  it("passes on MySQL's own refusal of a GTID (a sequence past 2^63-1) without leaving replication stopped", async () => {
    const refused = admin.execute(SKIP_GTID, [`${sourceUuid}:9999999999999999999`]);
    await expect(refused).rejects.toMatchObject({ errno: expect.any(Number) as number });
    await expect(refused).rejects.not.toMatchObject({ errno: ERRNO_BAD_ARGUMENT });
    // The procedure started replication again: the IO thread reconnects ("Connecting" for a moment), then streams.
    const status = await waitForStatus(admin, healthy).catch(() => null);
    // Restore a running link for the next tests whatever happened.
    if (!healthy(status)) await admin.query("CALL mysql.az_replication_start()");
    expect({ io: status?.ioRunning, sql: status?.sqlRunning }).toEqual({ io: "Yes", sql: "Yes" });
  });

  let failingGtid: string;

  it("stops on a 1062 conflict; skip_counter does NOT get past it under auto-positioning (also after stop/start)", async () => {
    await waitForStatus(admin, healthy);
    await admin.query("INSERT INTO app.t VALUES (3, 'replica-only')");
    failingGtid = await insertOnSource(3, "conflict");
    await insertOnSource(4, "after");
    const broken = await waitForStatus(admin, (s) => s?.sqlRunning === "No" && s.lastSqlErrno !== 0);
    expect([1062, 3030]).toContain(broken?.lastSqlErrno);
    expect(broken?.lastSqlError).toContain(`failed executing transaction '${failingGtid}'`);
    const [worker] = await failedWorkers(replica);
    expect(worker).toMatchObject({ LAST_ERROR_NUMBER: 1062, APPLYING_TRANSACTION: failingGtid });

    const errorTime = async (): Promise<number> => {
      const [row] = await replica.rootQuery<{ at: Date }>(
        "SELECT MAX(LAST_ERROR_TIMESTAMP) AS at FROM performance_schema.replication_applier_status_by_worker",
      );
      return row!.at.getTime();
    };
    const firstFailure = await errorTime();
    await admin.query("CALL mysql.az_replication_skip_counter()");
    // The applier runs again and fails again on the same GTID: the counter did not skip it.
    await eventually(errorTime, (at) => at > firstFailure);
    await waitForStatus(admin, (s) => s?.sqlRunning === "No" && s.lastSqlErrno !== 0);
    expect((await failedWorkers(replica))[0]).toMatchObject({
      LAST_ERROR_NUMBER: 1062,
      APPLYING_TRANSACTION: failingGtid,
    });
    expect(await replicaHas(failingGtid)).toBe(false);

    const secondFailure = await errorTime();
    await admin.query("CALL mysql.az_replication_stop()");
    await admin.query("CALL mysql.az_replication_start()");
    await eventually(errorTime, (at) => at > secondFailure);
    await waitForStatus(admin, (s) => s?.sqlRunning === "No" && s.lastSqlErrno !== 0);
    expect((await failedWorkers(replica))[0]?.APPLYING_TRANSACTION).toBe(failingGtid);
    expect(await replicaHas(failingGtid)).toBe(false);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("skip_gtid_transaction with the worker's APPLYING_TRANSACTION skips exactly that transaction, and later rows apply", async () => {
    expect(failingGtid).toBeDefined();
    const [worker] = await failedWorkers(replica);
    await admin.execute(SKIP_GTID, [worker!.APPLYING_TRANSACTION]);
    await waitForStatus(admin, (s) => healthy(s) && s?.lastSqlErrno === 0);
    await eventually(rows, (r) => r.length === 4);
    expect(await rows()).toEqual([
      { id: 1, note: "one" },
      { id: 2, note: "two" },
      { id: 3, note: "replica-only" },
      { id: 4, note: "after" },
    ]);
    expect(await replicaHas(failingGtid)).toBe(true);
    expect(await failedWorkers(replica)).toEqual([]);
  });

  it("stays past the skipped transaction across stop/start through the procedures and a replica restart", async () => {
    await admin.query("CALL mysql.az_replication_stop()");
    await admin.query("CALL mysql.az_replication_start()");
    await insertOnSource(5, "after stop/start");
    await eventually(rows, (r) => r.length === 5);
    expect(healthy(await waitForStatus(admin, healthy))).toBe(true);

    await admin.end();
    await replica.restart();
    admin = await replica.connectAsAdmin();
    // skip_replica_start is OFF: the link comes back by itself, and auto-positioning does not re-fetch the skipped GTID.
    await waitForStatus(admin, healthy);
    await insertOnSource(6, "after restart");
    await eventually(rows, (r) => r.length === 6);
    expect(await rows()).toEqual([
      { id: 1, note: "one" },
      { id: 2, note: "two" },
      { id: 3, note: "replica-only" },
      { id: 4, note: "after" },
      { id: 5, note: "after stop/start" },
      { id: 6, note: "after restart" },
    ]);
    const status = await readReplicationStatus(admin);
    expect(status).toMatchObject({ lastSqlErrno: 0, lastIoErrno: 0, usingGtid: "1" });
    expect(await failedWorkers(replica)).toEqual([]);
  });

  it("treats skipping a GTID the replica already has as a no-op (MySQL ignores an already-executed gtid_next)", async () => {
    await admin.execute(SKIP_GTID, [failingGtid]);
    await waitForStatus(admin, healthy);
    expect((await rows()).find((r) => r.id === 3)?.note).toBe("replica-only");
  });
});
