// Start verification as the orchestrator polls it: one read right after the start, then reads on doubling durable timers.
import { type CheckReplicationInput } from "../../../../shared/workflow/activities/checkReplicationActivity";
import { type StartAndVerifyOptions, startAndVerify } from "../../../../shared/workflow/steps/startAndVerify";
import { StepFailed } from "../../../../shared/workflow/steps/callActivity";
import { START_POLL_MAX_INTERVAL_MS } from "../../../../shared/workflow/retryPolicies";
import { type ReplicationSummary, summariseReplication } from "../../../../shared/workflow/provisionTypes";
import {
  appliedPosition,
  judgeStart,
  normaliseReplicationStatus,
} from "../../../../shared/replica/replicationStatus";
import { type Row } from "../../../../shared/mysql/mysqlSession";
import { diagnoseReplicationError, isPermanentReplicationError } from "../../../../shared/errors/mysqlErrors";
import { type Answer, type Scheduled, drive, names } from "../fakeOrchestration";

const START = "2026-12-01T10:00:00.000Z";
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

const running: Row = {
  Replica_IO_State: "Waiting for source to send event",
  Source_Host: "db.example.com",
  Source_User: "repl",
  Source_Port: 3306,
  Source_Log_File: "mysql-bin.000002",
  Read_Source_Log_Pos: 9000,
  Relay_Source_Log_File: "mysql-bin.000002",
  Exec_Source_Log_Pos: 9000,
  Replica_IO_Running: "Yes",
  Replica_SQL_Running: "Yes",
  Seconds_Behind_Source: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: "",
  Last_SQL_Errno: 0,
  Last_SQL_Error: "",
};
const connecting: Row = {
  ...running,
  Replica_IO_State: "Connecting to source",
  Replica_IO_Running: "Connecting",
};
const behindAt = (applied: number): Row => ({
  ...running,
  Exec_Source_Log_Pos: applied,
  Seconds_Behind_Source: 40,
});
const refused: Row = {
  ...running,
  Replica_IO_Running: "Connecting",
  Last_IO_Errno: 2003,
  Last_IO_Error: "error connecting to source 'repl@db.example.com:3306'",
};
const denied: Row = {
  ...running,
  Replica_IO_Running: "Connecting",
  Last_IO_Errno: 1045,
  Last_IO_Error: "Access denied for user 'repl'@'10.0.0.4'",
};

/**
 * The checkReplication activity over a replica whose SHOW REPLICA STATUS goes through `rows`, one per read: its own
 * judgement (judgeStart, with the applied position the step passed in) on each, as the real activity returns it.
 */
function replicaShowing(rows: Row[]) {
  const left = [...rows];
  return (task: Extract<Scheduled, { kind: "activity" }>): Answer => {
    if (task.name !== "checkReplication") throw new Error(`unexpected activity ${task.name}`);
    const row = left.shift();
    if (!row) throw new Error("the replica was read more often than scripted");
    const input = task.input as CheckReplicationInput;
    const status = normaliseReplicationStatus(row);
    return {
      value: {
        ok: true,
        value: {
          verdict: judgeStart(status, input.appliedBefore ?? null, isPermanentReplicationError),
          replication: summariseReplication(status),
          applied: appliedPosition(status),
        },
      },
    };
  };
}

function verify(
  rows: Row[] | ((task: Extract<Scheduled, { kind: "activity" }>) => Answer),
  timing: { verifyBudgetSeconds: number; verifyFirstIntervalSeconds: number },
) {
  const reads: ReplicationSummary[] = [];
  const waits: number[] = [];
  const options: StartAndVerifyOptions = {
    replica: {
      kind: "single",
      subscriptionId: "00000000-0000-0000-0000-000000000000",
      resourceGroup: "rg-data",
      serverName: "my-replica",
      adminUser: "azureadmin",
      adminPassword: { appSetting: "REPLICATION_SECRET_REPLICA_ADMIN" },
    },
    fqdn: "my-replica.mysql.database.azure.com",
    timing,
    unavailableMessage: "Starting or watching replication failed after retries",
    diagnose: (errno, message) => diagnoseReplicationError(errno, message),
    diagnoseTransientAtDeadline: true,
    onReplication: (replication) => reads.push(replication),
    onWait: () => waits.push(reads.length),
  };
  // Reads take no orchestration time here, so each timer's due time is the sum of the intervals before it.
  const run = drive(
    (context) => startAndVerify(context, options),
    Array.isArray(rows) ? replicaShowing(rows) : rows,
    {
      start: START,
      activityMs: 0,
    },
  );
  const timers = run.scheduled.flatMap((task) => (task.kind === "timer" ? [task.at] : []));
  const inputs = run.scheduled.flatMap((task) =>
    task.kind === "activity" ? [task.input as CheckReplicationInput] : [],
  );
  const error = run.thrown instanceof StepFailed ? run.thrown.error : undefined;
  if (run.thrown !== undefined && !error) throw run.thrown as Error;
  return { run, timers, inputs, reads, waits, error };
}

describe("startAndVerify", () => {
  it("reads right after the start and sets no timer when replication runs at once", () => {
    const { run, inputs, reads, waits, error } = verify([running], {
      verifyBudgetSeconds: 60,
      verifyFirstIntervalSeconds: 0.1,
    });
    expect(error).toBeUndefined();
    expect(names(run)).toEqual(["checkReplication"]);
    expect(inputs[0]).toMatchObject({ start: true, appliedBefore: null });
    expect(reads.map((read) => read.ioThread)).toEqual(["Yes"]);
    expect(waits).toEqual([]);
  });

  it("waits on durable timers from the first interval, doubling, starting only once", () => {
    const { run, timers, inputs, waits, error } = verify([connecting, connecting, connecting, running], {
      verifyBudgetSeconds: 60,
      verifyFirstIntervalSeconds: 0.1,
    });
    expect(error).toBeUndefined();
    expect(names(run)).toEqual([
      "checkReplication",
      "timer",
      "checkReplication",
      "timer",
      "checkReplication",
      "timer",
      "checkReplication",
    ]);
    expect(timers).toEqual([at(100), at(300), at(700)]);
    expect(inputs.map((input) => input.start)).toEqual([true, false, false, false]);
    expect(waits[0]).toBe(1);
  });

  it("stops doubling at the ceiling", () => {
    const { timers } = verify([connecting, connecting, connecting, connecting, running], {
      verifyBudgetSeconds: 600,
      verifyFirstIntervalSeconds: 20,
    });
    expect(START_POLL_MAX_INTERVAL_MS).toBe(60_000);
    expect(timers).toEqual([at(20_000), at(60_000), at(120_000), at(180_000)]);
  });

  it("counts a link behind but applying as running: the next read carries the position the last one saw", () => {
    const { run, inputs, reads, error } = verify([behindAt(900), behindAt(4000)], {
      verifyBudgetSeconds: 60,
      verifyFirstIntervalSeconds: 0.1,
    });
    expect(error).toBeUndefined();
    expect(names(run)).toEqual(["checkReplication", "timer", "checkReplication"]);
    expect(inputs[1]?.appliedBefore).toEqual({ file: "mysql-bin.000002", position: 900 });
    expect(reads.at(-1)).toMatchObject({ execSourceLogPos: 4000, secondsBehindSource: 40 });
  });

  it("keeps waiting while a link behind applies nothing", () => {
    const { error } = verify([behindAt(900), behindAt(900), behindAt(900)], {
      verifyBudgetSeconds: 0.5,
      verifyFirstIntervalSeconds: 0.1,
    });
    expect(error).toMatchObject({ code: "START_TIMEOUT", message: /still applying events/ });
  });

  it("fails at once with the diagnosis of a permanent error", () => {
    const { run, error } = verify([denied], { verifyBudgetSeconds: 60, verifyFirstIntervalSeconds: 0.1 });
    expect(names(run)).toEqual(["checkReplication"]);
    expect(error).toMatchObject({ code: "MYSQL_1045", message: /Access denied for user 'repl'/ });
  });

  it("fails with START_TIMEOUT when the budget ends before the link runs", () => {
    const { timers, error } = verify([connecting, connecting, connecting, connecting], {
      verifyBudgetSeconds: 1,
      verifyFirstIntervalSeconds: 0.1,
    });
    // 0.1 + 0.2 + 0.4 s waited; the next 0.8 s would pass the 1 s budget.
    expect(timers).toEqual([at(100), at(300), at(700)]);
    expect(error).toMatchObject({
      code: "START_TIMEOUT",
      message: "Replication did not reach a running state within 1 s: the IO thread is connecting",
    });
  });

  it("names a transient error still there at the deadline by its diagnosis", () => {
    const { error } = verify([refused, refused], {
      verifyBudgetSeconds: 0.2,
      verifyFirstIntervalSeconds: 0.1,
    });
    expect(error).toMatchObject({
      code: "MYSQL_2003",
      message: /within 0.2 s: .*error connecting to source/,
    });
  });

  it("replays a history whose checks were recorded before they returned the applied position", () => {
    const recorded = (row: Row) => {
      const status = normaliseReplicationStatus(row);
      const verdict = judgeStart(status, null, isPermanentReplicationError);
      return { value: { ok: true, value: { verdict, replication: summariseReplication(status) } } };
    };
    const history = [recorded(connecting), recorded(running)];
    const { run, inputs, error } = verify(() => history.shift() ?? { error: new Error("not recorded") }, {
      verifyBudgetSeconds: 60,
      verifyFirstIntervalSeconds: 2,
    });
    expect(error).toBeUndefined();
    expect(names(run)).toEqual(["checkReplication", "timer", "checkReplication"]);
    expect(inputs[1]?.appliedBefore).toBeNull();
  });
});
