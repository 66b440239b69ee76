// Cutover as its history records it: waits on durable timers, stops, unlinks; refuses or starts replication again on failure.
import { cutoverOrchestrator } from "../../../shared/workflow/cutoverOrchestrator";
import { type OperationReport } from "../../../shared/workflow/linkOperationTypes";
import { drive, names, scripted } from "./fakeOrchestration";
import { linkRecord } from "./linkRecordFixture";

const input = {
  id: "rpl-1",
  requireSourceReadOnly: true,
  catchUpTimeoutSeconds: 60,
  maxLagSeconds: 30,
  pollIntervalSeconds: 5,
  checksumTables: ["shop.orders"],
};
const replication = {
  ioThread: "Yes",
  sqlThread: "Yes",
  ioState: "Waiting for source to send event",
  secondsBehindSource: 2,
  lastIoError: null,
  lastSqlError: null,
  sourceLogFile: "binlog.000003",
  readSourceLogPos: 900,
  execSourceLogPos: 400,
};
const sourceAt = (position: number, readOnly = true) => ({
  ok: true,
  value: { readOnly, superReadOnly: false, file: "binlog.000003", position, gtidExecuted: "" },
});
const replicaAt = (position: number) => ({
  ok: true,
  value: {
    replication,
    configured: true,
    appliedFile: "binlog.000003",
    appliedPosition: position,
    gtidExecuted: "",
  },
});
const claimed = { claimed: true, record: linkRecord({ state: "cuttingOver" }) };
const removed = {
  ok: true,
  actions: [{ action: "removeLink", outcome: "done", detail: "removed the link" }],
};

function cutOver(queues: Record<string, unknown[]>) {
  const run = drive(
    cutoverOrchestrator,
    scripted({ claimLink: [claimed], releaseLink: ["replicating"], ...queues }),
    {
      input,
    },
  );
  expect(run.thrown).toBeUndefined();
  return { run, report: run.result as OperationReport, release: run.scheduled.at(-1) };
}

describe("cutoverOrchestrator", () => {
  it("waits on a durable timer until caught up, stops, compares, unlinks and marks the link cutOver", () => {
    const { run, report, release } = cutOver({
      readReplicaProgress: [replicaAt(400), replicaAt(900)],
      readSourcePosition: [sourceAt(900), sourceAt(900), sourceAt(900)],
      setReplicationRunning: [replicaAt(900)],
      compareChecksums: [
        { ok: true, value: [{ table: "shop.orders", source: "1", replica: "1", equal: true }] },
      ],
      rollbackProvisioning: [removed],
    });
    expect(names(run)).toEqual([
      "claimLink",
      "readReplicaProgress",
      "readSourcePosition",
      "timer",
      "readSourcePosition",
      "readReplicaProgress",
      "setReplicationRunning",
      "readSourcePosition",
      "compareChecksums",
      "rollbackProvisioning",
      "releaseLink",
    ]);
    expect(run.scheduled[3]).toEqual({ kind: "timer", at: "2026-12-01T10:00:08.000Z" });
    expect(run.scheduled[6]).toMatchObject({ input: { running: false } });
    expect(release).toMatchObject({
      input: {
        heldAs: "cuttingOver",
        state: "cutOver",
        changes: { binlogFile: "binlog.000003", binlogPosition: 900 },
      },
    });
    expect(report).toMatchObject({
      outcome: "succeeded",
      error: null,
      changes: ["stopped replication (az_replication_stop)", "removeLink: removed the link"],
    });
    expect(report.lag.map((sample) => sample.behindBytes)).toEqual([500, 0]);
    expect(report.steps.map((step) => step.step)).toEqual([
      "claiming",
      "checking",
      "waitingForReplica",
      "stopping",
      "comparing",
      "removingLink",
    ]);
    expect(run.logs).toEqual(["[rpl-1] cut over"]);
  });

  it("refuses a writable source and changes nothing", () => {
    const { run, report, release } = cutOver({
      readReplicaProgress: [replicaAt(900)],
      readSourcePosition: [sourceAt(900, false)],
    });
    expect(names(run)).toEqual(["claimLink", "readReplicaProgress", "readSourcePosition", "releaseLink"]);
    expect(report).toMatchObject({
      outcome: "refused",
      rolledBack: null,
      error: { code: "SOURCE_WRITABLE" },
    });
    expect(release).toMatchObject({ input: { state: "replicating" } });
  });

  it("fails, changing nothing, when the source cannot be read while waiting", () => {
    const { report } = cutOver({
      readReplicaProgress: [replicaAt(400)],
      readSourcePosition: [sourceAt(900), new Error("ECONNREFUSED: connect refused")],
    });
    expect(report).toMatchObject({
      outcome: "failed",
      rolledBack: null,
      error: { code: "SOURCE_UNREACHABLE" },
    });
    expect(report.error?.message).toBe(
      "The source db.example.com:3306 could not be read after retries: ECONNREFUSED: connect refused",
    );
  });

  it("starts replication again when removing the link fails", () => {
    const { run, report, release } = cutOver({
      readReplicaProgress: [replicaAt(900)],
      readSourcePosition: [sourceAt(900), sourceAt(900)],
      setReplicationRunning: [replicaAt(900), replicaAt(900)],
      compareChecksums: [
        { ok: true, value: [{ table: "shop.orders", source: "1", replica: "1", equal: true }] },
      ],
      rollbackProvisioning: [{ ok: false, actions: [], error: "ARM said no" }],
    });
    expect(names(run).slice(-3)).toEqual(["rollbackProvisioning", "setReplicationRunning", "releaseLink"]);
    expect(run.scheduled.at(-2)).toMatchObject({ input: { running: true } });
    expect(report).toMatchObject({
      outcome: "failed",
      rolledBack: true,
      rollback: ["started replication again (az_replication_start)"],
      error: { code: "UNLINK_FAILED", message: "Removing the link failed: ARM said no" },
    });
    expect(release).toMatchObject({ input: { state: "replicating" } });
  });

  it("times out on durable timers only, with both positions in the message", () => {
    const behind = Array.from({ length: 20 }, () => replicaAt(400));
    const { run, report } = cutOver({
      readReplicaProgress: behind,
      readSourcePosition: Array.from({ length: 20 }, () => sourceAt(900)),
    });
    expect(names(run).filter((name) => name === "timer").length).toBeGreaterThan(5);
    expect(report.error).toMatchObject({ code: "CATCH_UP_TIMEOUT" });
    expect(report.error?.message).toMatch(/source at binlog\.000003:900, replica at binlog\.000003:400/);
  });
});
