// Normalising SHOW SLAVE/REPLICA STATUS and judging whether replication really runs.
import {
  appliedBetween,
  appliedPosition,
  judgeReplication,
  judgeStart,
  normaliseReplicationStatus,
  withWorkerError,
} from "../../../shared/replica/replicationStatus";
import { isPermanentReplicationError } from "../../../shared/errors/mysqlErrors";

const running = {
  Slave_IO_State: "Waiting for master to send event",
  Master_Host: "db.example.com",
  Master_User: "repl",
  Master_Port: 3306,
  Master_Log_File: "mysql-bin.000002",
  Read_Master_Log_Pos: 900,
  Relay_Master_Log_File: "mysql-bin.000002",
  Exec_Master_Log_Pos: 900,
  Slave_IO_Running: "Yes",
  Slave_SQL_Running: "Yes",
  Seconds_Behind_Master: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: "",
  Last_SQL_Errno: 0,
  Last_SQL_Error: "",
};

describe("replication status", () => {
  it("reads MySQL 8.0.22+ column names", () => {
    const status = normaliseReplicationStatus({
      Source_Host: "h",
      Source_User: "u",
      Source_Port: 3307,
      Replica_IO_Running: "Yes",
      Replica_SQL_Running: "Yes",
      Seconds_Behind_Source: 4,
      Source_Log_File: "b.1",
      Read_Source_Log_Pos: 10,
      Relay_Source_Log_File: "b.1",
      Exec_Source_Log_Pos: 10,
    });
    expect(status).toMatchObject({
      configured: true,
      sourceHost: "h",
      sourcePort: 3307,
      secondsBehind: 4,
      ioRunning: "Yes",
    });
  });

  it("reports lag as unknown, never 0, while a thread is down", () => {
    const status = normaliseReplicationStatus({
      ...running,
      Slave_SQL_Running: "No",
      Seconds_Behind_Master: 0,
    });
    expect(status.secondsBehind).toBeNull();
  });

  it("treats no row as no link", () => {
    expect(normaliseReplicationStatus(undefined).configured).toBe(false);
    expect(judgeReplication(normaliseReplicationStatus(undefined), isPermanentReplicationError).kind).toBe(
      "stopped",
    );
  });

  it("judges a caught-up link running and a lagging one waiting", () => {
    expect(judgeReplication(normaliseReplicationStatus(running), isPermanentReplicationError)).toEqual({
      kind: "running",
    });
    const lagging = normaliseReplicationStatus({ ...running, Exec_Master_Log_Pos: 500 });
    expect(judgeReplication(lagging, isPermanentReplicationError).kind).toBe("catchingUp");
  });

  it("counts a link behind but applying as running: the SQL thread's position moved between two reads", () => {
    const first = appliedPosition(
      normaliseReplicationStatus({ ...running, Read_Master_Log_Pos: 5000, Exec_Master_Log_Pos: 900 }),
    );
    const later = appliedPosition(
      normaliseReplicationStatus({ ...running, Read_Master_Log_Pos: 9000, Exec_Master_Log_Pos: 4000 }),
    );
    const rotated = appliedPosition(
      normaliseReplicationStatus({
        ...running,
        Relay_Master_Log_File: "mysql-bin.000003",
        Exec_Master_Log_Pos: 4,
      }),
    );
    expect(first).toEqual({ file: "mysql-bin.000002", position: 900 });
    expect(appliedBetween(first, later)).toBe(true);
    expect(appliedBetween(first, rotated)).toBe(true);
    expect(appliedBetween(later, later)).toBe(false);
    expect(appliedBetween(later, first)).toBe(false);
  });

  it("sees nothing applied without both positions: the first read, or a server that reports none", () => {
    const applied = { file: "mysql-bin.000002", position: 900 };
    expect(appliedPosition(normaliseReplicationStatus(undefined))).toBeNull();
    expect(appliedPosition(normaliseReplicationStatus({ ...running, Exec_Master_Log_Pos: null }))).toBeNull();
    expect(appliedBetween(null, applied)).toBe(false);
    expect(appliedBetween(applied, null)).toBe(false);
    expect(appliedBetween(null, null)).toBe(false);
  });

  it("judges a start catching up as running once it applied since the previous read, and only then", () => {
    const behind = normaliseReplicationStatus({
      ...running,
      Read_Master_Log_Pos: 9000,
      Exec_Master_Log_Pos: 4000,
    });
    const judge = (before: { file: string; position: number } | null) =>
      judgeStart(behind, before, isPermanentReplicationError).kind;
    expect(judge({ file: "mysql-bin.000002", position: 900 })).toBe("running");
    expect(judge({ file: "mysql-bin.000002", position: 4000 })).toBe("catchingUp");
    expect(judge(null)).toBe("catchingUp");
    const stopped = normaliseReplicationStatus({
      ...running,
      Slave_SQL_Running: "No",
      Exec_Master_Log_Pos: 4000,
    });
    expect(
      judgeStart(stopped, { file: "mysql-bin.000002", position: 900 }, isPermanentReplicationError).kind,
    ).toBe("stopped");
  });

  it("waits while the IO thread says Yes but the source has not yet accepted the dump request (MySQL 9.7)", () => {
    for (const state of [
      "Requesting binlog dump",
      "Registering replica on source",
      "Checking source version",
    ]) {
      const early = normaliseReplicationStatus({
        ...running,
        Slave_IO_State: state,
        Read_Master_Log_Pos: 4,
        Exec_Master_Log_Pos: 4,
      });
      expect(judgeReplication(early, isPermanentReplicationError)).toEqual({
        kind: "waiting",
        reason: `the IO thread is ${state.toLowerCase()}`,
      });
    }
    const streaming = normaliseReplicationStatus({
      ...running,
      Slave_IO_State: "Waiting for source to send event",
    });
    expect(judgeReplication(streaming, isPermanentReplicationError).kind).toBe("running");
  });

  it("classifies 2003 as transient and 1045/1236 as permanent", () => {
    const connecting = normaliseReplicationStatus({
      ...running,
      Slave_IO_Running: "Connecting",
      Last_IO_Errno: 2003,
      Last_IO_Error: "error connecting to master",
    });
    expect(judgeReplication(connecting, isPermanentReplicationError)).toMatchObject({
      kind: "transientError",
      errno: 2003,
    });
    for (const errno of [1045, 1236, 2026, 2061, 3201]) {
      const failing = normaliseReplicationStatus({
        ...running,
        Slave_IO_Running: "No",
        Last_IO_Errno: errno,
        Last_IO_Error: "x",
      });
      expect(judgeReplication(failing, isPermanentReplicationError)).toMatchObject({
        kind: "permanentError",
        errno,
      });
    }
  });

  it("reports SQL-thread errors as permanent", () => {
    const drift = normaliseReplicationStatus({
      ...running,
      Slave_SQL_Running: "No",
      Last_SQL_Errno: 1062,
      Last_SQL_Error: "Duplicate entry",
    });
    expect(judgeReplication(drift, isPermanentReplicationError)).toMatchObject({
      kind: "permanentError",
      thread: "sql",
      errno: 1062,
    });
  });
});

describe("replication verdict", () => {
  const judge = (row: Record<string, unknown>) =>
    judgeReplication(normaliseReplicationStatus(row), isPermanentReplicationError);

  it("treats a row without a source host as no link", () => {
    expect(normaliseReplicationStatus({ ...running, Master_Host: "" }).configured).toBe(false);
    expect(judge({ ...running, Master_Host: "" })).toEqual({
      kind: "stopped",
      reason: "the replica has no replication link",
    });
  });

  it("reads MariaDB's and older MySQL's columns: GTID use, the CA file, an unknown thread state", () => {
    const status = normaliseReplicationStatus({
      ...running,
      Using_Gtid: "Slave_Pos",
      Master_SSL_CA_File: "/certs/ca.pem",
      Slave_IO_Running: "Maybe",
    });
    expect(status).toMatchObject({ usingGtid: "Slave_Pos", sslCaConfigured: true, ioRunning: "Unknown" });
    expect(normaliseReplicationStatus({ ...running, Auto_Position: 1 }).usingGtid).toBe("1");
    expect(normaliseReplicationStatus(running).sslCaConfigured).toBe(false);
  });

  it("names the thread that stopped without an error", () => {
    expect(judge({ ...running, Slave_SQL_Running: "No" })).toEqual({
      kind: "stopped",
      reason: "the SQL thread is not running",
    });
    expect(judge({ ...running, Slave_IO_Running: "No" })).toEqual({
      kind: "stopped",
      reason: "the IO thread is not running",
    });
  });

  it("waits while the IO thread connects without an error yet", () => {
    expect(judge({ ...running, Slave_IO_Running: "Connecting" })).toEqual({
      kind: "waiting",
      reason: "the IO thread is connecting",
    });
  });

  it("does not call a link failing because of an old transient IO error once the IO thread runs again", () => {
    expect(judge({ ...running, Last_IO_Errno: 2003, Last_IO_Error: "error connecting to master" })).toEqual({
      kind: "running",
    });
  });

  it("puts an SQL-thread error before an IO-thread error", () => {
    expect(
      judge({
        ...running,
        Last_IO_Errno: 1045,
        Last_IO_Error: "denied",
        Last_SQL_Errno: 1032,
        Last_SQL_Error: "gone",
      }),
    ).toEqual({ kind: "permanentError", thread: "sql", errno: 1032, message: "gone" });
  });

  it("reports a permanent IO error even while the IO thread still says Yes", () => {
    expect(judge({ ...running, Last_IO_Errno: 13114, Last_IO_Error: "purged" })).toEqual({
      kind: "permanentError",
      thread: "io",
      errno: 13114,
      message: "purged",
    });
  });
});

describe("withWorkerError", () => {
  const coordinator = normaliseReplicationStatus({
    ...running,
    Slave_SQL_Running: "No",
    Last_SQL_Errno: 1062,
    Last_SQL_Error: "Coordinator stopped because there were error(s) in the worker(s).",
  });
  const gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:23";

  it("replaces the coordinator's summary with the failing worker's error and GTID, passing over workers stopped by it", () => {
    const status = withWorkerError(coordinator, [
      {
        LAST_ERROR_NUMBER: 3030,
        LAST_ERROR_MESSAGE: "stopped because of another worker",
        APPLYING_TRANSACTION: "",
      },
      {
        LAST_ERROR_NUMBER: 1062,
        LAST_ERROR_MESSAGE: "Duplicate entry '7' for key 'PRIMARY'",
        APPLYING_TRANSACTION: gtid,
      },
    ]);
    expect(status).toMatchObject({
      lastSqlErrno: 1062,
      lastSqlError: "Duplicate entry '7' for key 'PRIMARY'",
      failedTransactionGtid: gtid,
    });
    expect(judgeReplication(status, isPermanentReplicationError)).toMatchObject({
      kind: "permanentError",
      errno: 1062,
      message: "Duplicate entry '7' for key 'PRIMARY'",
    });
  });

  it("takes the first worker when every one says another failed, and records no GTID that is not one", () => {
    const status = withWorkerError(coordinator, [
      { LAST_ERROR_NUMBER: 3030, LAST_ERROR_MESSAGE: "stopped", APPLYING_TRANSACTION: "ANONYMOUS" },
    ]);
    expect(status).toMatchObject({
      lastSqlErrno: 3030,
      lastSqlError: "stopped",
      failedTransactionGtid: null,
    });
  });

  it("keeps the status when no worker reports an error", () => {
    expect(withWorkerError(coordinator, [])).toBe(coordinator);
  });
});
