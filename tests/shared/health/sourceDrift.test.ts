// What a source re-validation's failures mean for a running link, without a server.
import { sourceDriftFindings } from "../../../shared/health/sourceDrift";
import { check } from "../../../shared/domain/checkResult";

describe("sourceDriftFindings", () => {
  it("keeps failures only, prefixed SOURCE_ once", () => {
    const findings = sourceDriftFindings([
      check("BINLOG_FORMAT", "fail", "binlog_format is STATEMENT", "set ROW"),
      check("SOURCE_FLAVOR", "fail", "MariaDB", "use MySQL"),
      check("SERVER_ID", "pass", "ok"),
      check("BINLOG_RETENTION", "warn", "short"),
    ]);
    expect(findings).toEqual([
      { code: "SOURCE_BINLOG_FORMAT", message: "binlog_format is STATEMENT", remedy: "set ROW" },
      { code: "SOURCE_FLAVOR", message: "MariaDB", remedy: "use MySQL" },
    ]);
  });

  it("names a purged binlog the replica still needs as BINLOG_PURGED with the re-seed remedy", () => {
    const [finding] = sourceDriftFindings([check("BINLOG_COORDINATES", "fail", "binlog.000001 is gone")]);
    expect(finding?.code).toBe("BINLOG_PURGED");
    expect(finding?.message).toContain("binlog.000001 is gone");
    expect(finding?.remedy).toContain("Re-seed the replica");
  });

  it("ignores the address and system-schema checks, which depend on where this app runs", () => {
    expect(
      sourceDriftFindings([
        check("SOURCE_ADDRESS", "fail", "private"),
        check("SYSTEM_SCHEMA_NOT_REPLICATED", "fail", "mysql"),
      ]),
    ).toEqual([]);
  });
});
