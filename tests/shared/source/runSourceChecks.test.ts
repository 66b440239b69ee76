// The check table over whole situations: which checks run, which are skipped and why, which are left out, and in what order.
import { type CheckResult } from "../../../shared/domain/checkResult";
import { runSourceChecks } from "../../../shared/source/runSourceChecks";
import { ADDRESS_REFUSED, FAILURES, checkInput, connected, notConnected } from "./fixtures/gatheredFacts";

const summary = (results: CheckResult[]) => results.map((result) => `${result.code}:${result.status}`);
const skipReasons = (results: CheckResult[]) =>
  Object.fromEntries(results.filter((r) => r.status === "skipped").map((r) => [r.code, r.message]));

const NEEDS_SESSION = [
  "REPLICATION_PRIVILEGE",
  "AUTH_PLUGIN_TLS",
  "LOG_BIN",
  "BINLOG_FORMAT",
  "SERVER_ID",
  "GTID_MODE",
  "PRIMARY_KEYS",
  "INNODB_TABLES",
  "BINLOG_COORDINATES",
  "BINLOG_RETENTION",
];

describe("runSourceChecks", () => {
  it("runs every check in report order for a healthy, inspected source", () => {
    expect(summary(runSourceChecks(connected(), checkInput()))).toEqual([
      "SOURCE_ADDRESS:pass",
      "SOURCE_REACHABLE:pass",
      "SOURCE_TLS:warn",
      "REPLICATION_USER_LOGIN:pass",
      "REPLICATION_PASSWORD_LENGTH:pass",
      "SOURCE_FLAVOR:pass",
      "REPLICATION_PRIVILEGE:pass",
      "AUTH_PLUGIN_TLS:fail",
      "LOG_BIN:pass",
      "BINLOG_FORMAT:pass",
      "SERVER_ID:pass",
      "GTID_MODE:pass",
      "PRIMARY_KEYS:pass",
      "INNODB_TABLES:pass",
      "BINLOG_COORDINATES:pass",
      "BINLOG_RETENTION:pass",
      "SYSTEM_SCHEMA_NOT_REPLICATED:warn",
    ]);
  });

  it("adds the foreign-key check only with table filters, after the engine check", () => {
    const codes = runSourceChecks(connected(), checkInput({ ignoreTables: ["shop.tmp_%"] })).map(
      (r) => r.code,
    );
    expect(codes.slice(codes.indexOf("INNODB_TABLES"), codes.indexOf("INNODB_TABLES") + 3)).toEqual([
      "INNODB_TABLES",
      "TABLE_FILTER_FOREIGN_KEYS",
      "BINLOG_COORDINATES",
    ]);
  });

  it("skips every connecting check after a refused address, and leaves out what needs a login", () => {
    const results = runSourceChecks(ADDRESS_REFUSED, checkInput({ ignoreTables: ["shop.tmp_%"] }));
    expect(summary(results)).toEqual([
      "SOURCE_ADDRESS:fail",
      "SOURCE_REACHABLE:skipped",
      "SOURCE_TLS:skipped",
      "REPLICATION_USER_LOGIN:skipped",
      "REPLICATION_PRIVILEGE:skipped",
      "AUTH_PLUGIN_TLS:skipped",
      "LOG_BIN:skipped",
      "BINLOG_FORMAT:skipped",
      "SERVER_ID:skipped",
      "GTID_MODE:skipped",
      "PRIMARY_KEYS:skipped",
      "INNODB_TABLES:skipped",
      "TABLE_FILTER_FOREIGN_KEYS:skipped",
      "BINLOG_COORDINATES:skipped",
      "BINLOG_RETENTION:skipped",
      "SYSTEM_SCHEMA_NOT_REPLICATED:warn",
    ]);
    expect(new Set(Object.values(skipReasons(results)))).toEqual(
      new Set(["The source's address was refused; no connection was made."]),
    );
  });

  it("fails an unreachable source once and skips the rest for want of a session", () => {
    const results = runSourceChecks(notConnected(FAILURES.unreachable), checkInput());
    expect(summary(results).slice(0, 4)).toEqual([
      "SOURCE_ADDRESS:pass",
      "SOURCE_REACHABLE:fail",
      "SOURCE_TLS:skipped",
      "REPLICATION_USER_LOGIN:skipped",
    ]);
    const reasons = skipReasons(results);
    expect(reasons.SOURCE_TLS).toBe("The source cannot be reached.");
    for (const code of NEEDS_SESSION) expect(reasons[code]).toBe("No session as the replication user.");
    const codes = results.map((r) => r.code);
    for (const code of ["REPLICATION_PASSWORD_LENGTH", "SOURCE_FLAVOR", "INSPECTION_USER_LOGIN"]) {
      expect(codes).not.toContain(code);
    }
    expect(codes.at(-1)).toBe("SYSTEM_SCHEMA_NOT_REPLICATED");
  });

  it("reports a denied login under REPLICATION_USER_LOGIN, with no SOURCE_REACHABLE finding", () => {
    const results = runSourceChecks(notConnected(FAILURES.accessDenied), checkInput());
    expect(summary(results).slice(0, 4)).toEqual([
      "SOURCE_ADDRESS:pass",
      "SOURCE_TLS:skipped",
      "REPLICATION_USER_LOGIN:fail",
      "REPLICATION_PRIVILEGE:skipped",
    ]);
  });

  it("reports a TLS failure under SOURCE_TLS and skips the login", () => {
    const results = runSourceChecks(notConnected(FAILURES.tlsRequired), checkInput());
    expect(summary(results).slice(0, 3)).toEqual([
      "SOURCE_ADDRESS:pass",
      "SOURCE_TLS:fail",
      "REPLICATION_USER_LOGIN:skipped",
    ]);
    expect(skipReasons(results).REPLICATION_USER_LOGIN).toBe("No TLS session could be established.");
  });

  it("skips the schema checks without an inspection account, saying how to add one", () => {
    const results = runSourceChecks(connected({ inspection: { state: "notGiven" } }), checkInput());
    const reasons = skipReasons(results);
    expect(Object.keys(reasons)).toEqual(["AUTH_PLUGIN_TLS", "PRIMARY_KEYS", "INNODB_TABLES"]);
    expect(reasons.PRIMARY_KEYS).toMatch(/^No inspection account was given: .*source\.inspectionUser/);
    expect(results.map((r) => r.code)).not.toContain("INSPECTION_USER_LOGIN");
  });

  it("reports a failed inspection login where its code belongs and skips the schema checks", () => {
    const denied = runSourceChecks(
      connected({
        inspection: { state: "connectFailed", failure: { kind: "accessDenied", user: "inspector" } },
      }),
      checkInput(),
    );
    expect(summary(denied).slice(6, 9)).toEqual([
      "REPLICATION_PRIVILEGE:pass",
      "INSPECTION_USER_LOGIN:fail",
      "AUTH_PLUGIN_TLS:skipped",
    ]);
    expect(skipReasons(denied).PRIMARY_KEYS).toBe("The inspection account could not connect.");

    const unreachable = runSourceChecks(
      connected({ inspection: { state: "connectFailed", failure: FAILURES.unreachable } }),
      checkInput(),
    );
    expect(summary(unreachable).slice(0, 4)).toEqual([
      "SOURCE_ADDRESS:pass",
      "SOURCE_REACHABLE:pass",
      "SOURCE_REACHABLE:fail",
      "SOURCE_TLS:warn",
    ]);
  });
});
