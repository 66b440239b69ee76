// The source's flavor, binary logging, server_id, GTID mode, retention and given coordinates, judged from its variables and binary logs.
import { type CheckResult } from "../../../../shared/domain/checkResult";
import { serverChecks } from "../../../../shared/source/checks/serverChecks";
import { ADDRESS_REFUSED, checkInput, connected } from "../fixtures/gatheredFacts";

const { sourceFlavor, logBin, binlogFormat, serverId, gtidMode, binlogRetention, binlogCoordinates } =
  serverChecks;
const input = checkInput();

function only(outcome: CheckResult | CheckResult[]): CheckResult {
  const results = [outcome].flat();
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe("SOURCE_FLAVOR", () => {
  it("passes MySQL and fails MariaDB, naming its version and the way out", () => {
    expect(only(sourceFlavor.rule(connected(), input)).message).toBe("The source runs MySQL 8.0.36.");
    const mariadb = only(
      sourceFlavor.rule(
        connected({ variables: { version: "10.11.6-MariaDB-0+deb12u1", version_comment: "Debian 12" } }),
        input,
      ),
    );
    expect(mariadb.status).toBe("fail");
    expect(mariadb.message).toMatch(/^The source runs MariaDB 10\.11\.6-MariaDB-0\+deb12u1\./);
    expect(mariadb.remedy).toMatch(/logical dump/);
  });
});

describe("LOG_BIN", () => {
  it.each(["ON", "1", "on", "YES"])("passes log_bin=%s", (value) => {
    expect(only(logBin.rule(connected({ variables: { log_bin: value } }), input)).status).toBe("pass");
  });

  it.each(["OFF", "0", undefined])("fails log_bin=%s with the configuration to set", (value) => {
    expect(only(logBin.rule(connected({ variables: { log_bin: value } }), input))).toMatchObject({
      status: "fail",
      message: "Binary logging is off on the source (log_bin = OFF).",
      remedy: expect.stringMatching(/Set log_bin/),
    });
  });
});

describe("BINLOG_FORMAT", () => {
  it("passes ROW in any case", () => {
    expect(only(binlogFormat.rule(connected({ variables: { binlog_format: "row" } }), input)).status).toBe(
      "pass",
    );
  });

  it("warns on STATEMENT and MIXED, and on an unknown format", () => {
    expect(
      only(binlogFormat.rule(connected({ variables: { binlog_format: "STATEMENT" } }), input)),
    ).toMatchObject({
      status: "warn",
      message: "binlog_format is STATEMENT; ROW is strongly recommended.",
    });
    expect(only(binlogFormat.rule(connected({ variables: { binlog_format: "mixed" } }), input)).status).toBe(
      "warn",
    );
    expect(
      only(binlogFormat.rule(connected({ variables: { binlog_format: undefined } }), input)).message,
    ).toBe("binlog_format is unknown; ROW is strongly recommended.");
  });
});

describe("SERVER_ID", () => {
  it("passes a non-zero server_id, naming it", () => {
    expect(only(serverId.rule(connected({ variables: { server_id: "42" } }), input)).message).toBe(
      "server_id is 42.",
    );
  });

  it("fails server_id 0 (and a missing one), naming the errors a replica would get", () => {
    for (const value of ["0", undefined]) {
      expect(only(serverId.rule(connected({ variables: { server_id: value } }), input))).toMatchObject({
        status: "fail",
        message: expect.stringMatching(/^server_id is 0: the source refuses replicas \(error 13114/),
      });
    }
  });
});

describe("GTID_MODE", () => {
  it("fails GTID linking without gtid_mode and enforce_gtid_consistency ON, naming what was found", () => {
    const result = only(
      gtidMode.rule(
        connected({ variables: { gtid_mode: "ON", enforce_gtid_consistency: "WARN" } }),
        checkInput({ linking: "gtid" }),
      ),
    );
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(/found ON and WARN/);
  });

  it("passes GTID linking with both ON, and file/position linking with GTIDs off", () => {
    const on = connected({ variables: { gtid_mode: "ON", enforce_gtid_consistency: "ON" } });
    expect(only(gtidMode.rule(on, checkInput({ linking: "gtid" }))).status).toBe("pass");
    expect(only(gtidMode.rule(connected(), input)).message).toMatch(
      /gtid_mode is OFF: the source writes anonymous transactions/,
    );
  });

  it("is skipped for a MariaDB source", () => {
    const mariadb = connected({ variables: { version: "10.11.6-MariaDB" } });
    expect(only(gtidMode.rule(mariadb, checkInput({ linking: "gtid" }))).status).toBe("skipped");
  });
});

describe("BINLOG_RETENTION", () => {
  const retention = (variables: Record<string, string | undefined>) =>
    only(binlogRetention.rule(connected({ variables }), input));

  it("passes 7 days or more, in hours", () => {
    expect(retention({ binlog_expire_logs_seconds: String(7 * 86400) })).toMatchObject({
      status: "pass",
      message: "Binlogs are kept 168 hours.",
    });
  });

  it("warns under 7 days, naming the hours and error 13114", () => {
    expect(retention({ binlog_expire_logs_seconds: "86400" })).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/^Binlogs are kept only 24 hours: .*error 13114/),
    });
  });

  it("reads expire_logs_days when binlog_expire_logs_seconds is 0 or missing", () => {
    expect(retention({ binlog_expire_logs_seconds: undefined, expire_logs_days: "2" }).message).toMatch(
      /kept only 48 hours/,
    );
    expect(retention({ binlog_expire_logs_seconds: "0", expire_logs_days: "10" }).message).toBe(
      "Binlogs are kept 240 hours.",
    );
  });

  it("passes retention 0 as kept until purged by hand", () => {
    expect(retention({ binlog_expire_logs_seconds: "0", expire_logs_days: "0" }).message).toBe(
      "Binlogs are kept until purged by hand.",
    );
  });

  it("is skipped when the server has neither setting", () => {
    expect(retention({ binlog_expire_logs_seconds: undefined, expire_logs_days: undefined })).toMatchObject({
      status: "skipped",
      message: "The source reports no binlog retention setting.",
    });
  });
});

describe("BINLOG_COORDINATES", () => {
  const logs = new Map([
    ["binlog.000002", 1200],
    ["binlog.000003", 157],
  ]);
  const at = (file: string, position: number) => checkInput({ binlog: { file, position } });

  it("passes without coordinates, warning what taking the current ones assumes", () => {
    expect(only(binlogCoordinates.rule(connected(), input))).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/^No coordinates given: .*correct only when the replica already holds/),
    });
  });

  it("passes coordinates inside an existing file", () => {
    expect(
      only(binlogCoordinates.rule(connected({ binaryLogs: logs }), at("binlog.000002", 1200))).message,
    ).toBe("binlog.000002:1200 exists on the source.");
  });

  it("fails a purged file, listing the files there are", () => {
    expect(
      only(binlogCoordinates.rule(connected({ binaryLogs: logs }), at("binlog.000001", 4))),
    ).toMatchObject({
      status: "fail",
      message: expect.stringMatching(
        /^Binlog file binlog\.000001 does not exist on the source \(available: binlog\.000002, binlog\.000003\)/,
      ),
    });
  });

  it("lists at most ten files", () => {
    const many = new Map(Array.from({ length: 12 }, (_, i) => [`b.${100 + i}`, 10] as const));
    expect(only(binlogCoordinates.rule(connected({ binaryLogs: many }), at("x", 4))).message).toMatch(
      /available: b\.100, .*b\.109, \.\.\.\)/,
    );
  });

  it("fails a position past the end of the file", () => {
    expect(
      only(binlogCoordinates.rule(connected({ binaryLogs: logs }), at("binlog.000003", 158))),
    ).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/^Position 158 is past the end of binlog\.000003 \(157 bytes\)/),
    });
  });

  it("is skipped when binary logging is off, or nobody may list the logs", () => {
    const off = connected({ variables: { log_bin: "OFF" } });
    expect(only(binlogCoordinates.rule(off, at("binlog.000001", 4))).message).toBe(
      "Binary logging is off on the source.",
    );
    const unlisted = only(binlogCoordinates.rule(connected({ binaryLogs: null }), at("binlog.000001", 4)));
    expect(unlisted).toMatchObject({
      status: "skipped",
      remedy: expect.stringMatching(/REPLICATION CLIENT/),
    });
  });
});

describe("SYSTEM_SCHEMA_NOT_REPLICATED", () => {
  it("always warns, even when no connection was made", () => {
    expect(only(serverChecks.systemSchemaNotReplicated.rule(ADDRESS_REFUSED, input))).toMatchObject({
      status: "warn",
      message: "The mysql system schema (accounts, grants) is not replicated.",
    });
  });
});
