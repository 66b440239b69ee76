// Rotation as its history records it: the tasks in order, the old link put back on failure, the link released as it is.
import { rotationOrchestrator } from "../../../shared/workflow/rotationOrchestrator";
import { type OperationReport } from "../../../shared/workflow/linkOperationTypes";
import { drive, names, scripted } from "./fakeOrchestration";
import { linkRecord } from "./linkRecordFixture";

const timing = { verifyBudgetSeconds: 60, verifyFirstIntervalSeconds: 5 };
const input = { id: "rpl-1", replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" }, timing };
const replication = {
  ioThread: "Yes",
  sqlThread: "Yes",
  ioState: "Waiting for source to send event",
  secondsBehindSource: 0,
  lastIoError: null,
  lastSqlError: null,
  sourceLogFile: "binlog.000002",
  readSourceLogPos: 77,
  execSourceLogPos: 77,
};
const claimed = { claimed: true, record: linkRecord({ state: "rotating" }) };
const login = { ok: true, value: { tls: false, cipher: null } };
const relinked = {
  ok: true,
  value: { coordinates: { file: "binlog.000002", position: 77 }, gtidExecuted: null },
};
const runs = { ok: true, value: { verdict: { kind: "running" }, replication } };
const denied = {
  ok: true,
  value: {
    verdict: { kind: "permanentError", errno: 1045, message: "Access denied", code: "ACCESS_DENIED" },
    replication: { ...replication, ioThread: "No", lastIoError: { number: 1045, message: "Access denied" } },
  },
};

function rotate(queues: Record<string, unknown[]>) {
  const run = drive(
    rotationOrchestrator,
    scripted({ claimLink: [claimed], releaseLink: ["replicating"], ...queues }),
    {
      input,
    },
  );
  expect(run.thrown).toBeUndefined();
  return { run, report: run.result as OperationReport, release: run.scheduled.at(-1) };
}

describe("rotationOrchestrator", () => {
  it("tries the new password, re-links at the applied position, verifies, and records the new values", () => {
    const { run, report, release } = rotate({
      checkSourceLogin: [login],
      relinkReplica: [relinked],
      checkReplication: [runs],
    });
    expect(names(run)).toEqual([
      "claimLink",
      "checkSourceLogin",
      "relinkReplica",
      "checkReplication",
      "releaseLink",
    ]);
    expect(run.scheduled[2]).toMatchObject({
      input: {
        source: { replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" } },
        linking: "binlogPosition",
      },
    });
    expect(release).toMatchObject({
      input: {
        heldAs: "rotating",
        state: "replicating",
        lastError: null,
        changes: {
          source: { replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" }, caCertificate: null },
          binlogPosition: 77,
        },
      },
    });
    expect(report).toMatchObject({ outcome: "succeeded", rolledBack: null, coordinates: { position: 77 } });
    expect(report.steps.map((step) => step.step)).toEqual([
      "claiming",
      "validating",
      "relinking",
      "starting",
    ]);
    expect(run.statuses.at(-1)).toMatchObject({ operation: "rotation", step: "done" });
    expect(run.logs).toEqual(["[rpl-1] rotated"]);
  });

  it("changes nothing when the source refuses the new password", () => {
    const rejected = { ok: false, error: { code: "NEW_PASSWORD_REJECTED", message: "refused", remedy: "r" } };
    const { run, report, release } = rotate({ checkSourceLogin: [rejected] });
    expect(names(run)).toEqual(["claimLink", "checkSourceLogin", "releaseLink"]);
    expect(report).toMatchObject({
      outcome: "failed",
      rolledBack: null,
      changes: [],
      error: { code: "NEW_PASSWORD_REJECTED" },
    });
    expect(release).toMatchObject({
      input: { state: "replicating", lastError: "NEW_PASSWORD_REJECTED: refused" },
    });
    expect(release?.kind === "activity" && "changes" in (release.input as object)).toBe(false);
  });

  it("puts the old link back and starts it when the new link does not run", () => {
    const { run, report, release } = rotate({
      checkSourceLogin: [login],
      relinkReplica: [relinked, relinked],
      checkReplication: [denied, runs],
    });
    expect(names(run)).toEqual([
      "claimLink",
      "checkSourceLogin",
      "relinkReplica",
      "checkReplication",
      "relinkReplica",
      "checkReplication",
      "releaseLink",
    ]);
    expect(run.scheduled[4]).toMatchObject({
      input: { source: { replicationPassword: { appSetting: "REPLICATION_SECRET_REPL" } } },
    });
    expect(report).toMatchObject({
      outcome: "failed",
      rolledBack: true,
      rollback: [
        "re-linked with the previous password and CA at binlog.000002:77",
        "replication runs again with the previous values",
      ],
    });
    expect(release).toMatchObject({ input: { state: "replicating" } });
  });

  it("marks the link failed when the old link cannot be put back either", () => {
    const { report, release } = rotate({
      checkSourceLogin: [login],
      relinkReplica: [relinked, new Error("ECONNREFUSED: connect refused \n    at stack")],
      checkReplication: [denied],
    });
    expect(report.rolledBack).toBe(false);
    expect(report.rollback).toEqual(["putting the old link back failed: ECONNREFUSED: connect refused"]);
    expect(report.error?.message).toMatch(/Rollback also failed: ECONNREFUSED: connect refused$/);
    expect(release).toMatchObject({ input: { state: "failed" } });
  });

  it("puts nothing back when the replica's link is gone or someone else's", () => {
    const missing = { ok: false, error: { code: "LINK_MISSING", message: "no link", remedy: "r" } };
    const { run, report } = rotate({ checkSourceLogin: [login], relinkReplica: [missing] });
    expect(names(run)).toEqual(["claimLink", "checkSourceLogin", "relinkReplica", "releaseLink"]);
    expect(report).toMatchObject({ rolledBack: null, error: { code: "LINK_MISSING" } });
  });

  it("is refused for a link another operation holds", () => {
    const { run, report } = rotate({ claimLink: [{ claimed: false, state: "cuttingOver" }] });
    expect(names(run)).toEqual(["claimLink"]);
    expect(report).toMatchObject({ outcome: "refused", error: { code: "LINK_BUSY" } });
  });
});
