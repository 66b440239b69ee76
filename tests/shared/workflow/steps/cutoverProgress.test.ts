// When a cutover's replica has caught up, when its link is broken, and how the wait samples the lag.
import {
  brokenReason,
  caughtUp,
  lagSample,
  positionsText,
  sourceReadOnlyCheck,
} from "../../../../shared/workflow/steps/cutoverProgress";
import {
  type ReplicaProgress,
  type SourcePosition,
} from "../../../../shared/workflow/activities/cutoverActivities";

const running = {
  ioThread: "Yes",
  sqlThread: "Yes",
  ioState: "Waiting for source to send event",
  secondsBehindSource: 0,
  lastIoError: null,
  lastSqlError: null,
  sourceLogFile: "binlog.000003",
  readSourceLogPos: 500,
  execSourceLogPos: 500,
};

const source = (over: Partial<SourcePosition> = {}): SourcePosition => ({
  readOnly: true,
  superReadOnly: false,
  file: "binlog.000003",
  position: 500,
  gtidExecuted: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20",
  ...over,
});
const replica = (over: Partial<ReplicaProgress> = {}): ReplicaProgress => ({
  replication: running,
  configured: true,
  appliedFile: "binlog.000003",
  appliedPosition: 500,
  gtidExecuted: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20",
  ...over,
});

describe("caughtUp", () => {
  it("by file and position: the same position or beyond, a later file, never an unknown position", () => {
    expect(caughtUp("binlogPosition", source(), replica())).toBe(true);
    expect(caughtUp("binlogPosition", source(), replica({ appliedPosition: 499 }))).toBe(false);
    expect(
      caughtUp("binlogPosition", source(), replica({ appliedFile: "binlog.000004", appliedPosition: 4 })),
    ).toBe(true);
    expect(
      caughtUp("binlogPosition", source(), replica({ appliedFile: "binlog.000002", appliedPosition: 900 })),
    ).toBe(false);
    expect(caughtUp("binlogPosition", source({ file: null }), replica())).toBe(false);
    expect(caughtUp("binlogPosition", source(), replica({ appliedPosition: null }))).toBe(false);
  });

  it("by GTID: the source's set within the replica's; an unreadable set is not caught up", () => {
    expect(
      caughtUp("gtid", source(), replica({ gtidExecuted: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-25" })),
    ).toBe(true);
    expect(
      caughtUp("gtid", source(), replica({ gtidExecuted: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-19" })),
    ).toBe(false);
    expect(caughtUp("gtid", source({ gtidExecuted: "not a set" }), replica())).toBe(false);
  });
});

describe("brokenReason", () => {
  it("is null while both threads run, and while the IO thread reconnects after a transient error", () => {
    expect(brokenReason(replica())).toBeNull();
    const reconnecting = {
      ...running,
      ioThread: "Connecting",
      lastIoError: { number: 2003, message: "down" },
    };
    expect(brokenReason(replica({ replication: reconnecting }))).toBeNull();
  });

  it("names no link, an SQL error, a permanent IO error, and a stopped thread", () => {
    expect(brokenReason(replica({ configured: false }))).toBe("the replica has no replication link");
    const sqlError = {
      ...running,
      sqlThread: "No",
      lastSqlError: { number: 1062, message: "Duplicate entry" },
    };
    expect(brokenReason(replica({ replication: sqlError }))).toBe(
      "the SQL thread stopped on error 1062: Duplicate entry",
    );
    const denied = { ...running, ioThread: "No", lastIoError: { number: 1045, message: "Access denied" } };
    expect(brokenReason(replica({ replication: denied }))).toBe(
      "the IO thread stopped on error 1045: Access denied",
    );
    expect(brokenReason(replica({ replication: { ...running, ioThread: "No" } }))).toBe(
      "the IO thread is not running",
    );
  });
});

describe("lagSample", () => {
  const at = new Date("2026-12-01T10:00:00.000Z");

  it("counts bytes behind only within one binlog file of a file/position link", () => {
    expect(lagSample(at, "binlogPosition", source({ position: 800 }), replica())).toEqual({
      at: "2026-12-01T10:00:00.000Z",
      behindBytes: 300,
      secondsBehindSource: 0,
    });
    expect(
      lagSample(at, "binlogPosition", source({ file: "binlog.000004" }), replica()).behindBytes,
    ).toBeNull();
    expect(lagSample(at, "gtid", source({ position: 800 }), replica()).behindBytes).toBeNull();
  });
});

describe("positionsText and sourceReadOnlyCheck", () => {
  it("names both sides' positions by the link's method", () => {
    expect(positionsText("binlogPosition", source(), replica({ appliedPosition: 400 }))).toBe(
      "source at binlog.000003:500, replica at binlog.000003:400",
    );
    expect(positionsText("gtid", source(), replica())).toMatch(
      /^source at 3e11fa47.*:1-20, replica at 3e11fa47/,
    );
  });

  it("passes a read-only source; a writable one fails when required, warns when the caller vouches", () => {
    expect(sourceReadOnlyCheck(source({ readOnly: false, superReadOnly: true }), true).status).toBe("pass");
    expect(sourceReadOnlyCheck(source({ readOnly: false }), true)).toMatchObject({
      status: "fail",
      message: "The source still accepts writes (read_only=OFF).",
    });
    expect(sourceReadOnlyCheck(source({ readOnly: false }), false).status).toBe("warn");
  });
});
