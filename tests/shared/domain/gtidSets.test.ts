// GTID-set logic: MySQL sets (against MySQL 8's result format) and MariaDB lists, and the checks built on them.
import {
  GtidParseError,
  formatMysqlGtidSet,
  mysqlGtidSubset,
  mysqlGtidSubtract,
  mysqlGtidUnion,
  parseMysqlGtidSet,
} from "../../../shared/domain/gtidSets";
import { type SourceGtidFacts, gtidConsistencyCheck, gtidModeCheck } from "../../../shared/domain/gtidChecks";
import {
  EMPTY_SERVER,
  type GtidRow,
  REPLICA_AHEAD_OF_SOURCE,
  REPLICA_FROM_DUMP,
  REPLICA_FROM_OLD_DUMP,
  REPLICA_WITH_ERRANT,
  SOURCE,
  SOURCE_WITH_TAGS,
  UUIDS,
} from "../source/fixtures/mysql8GtidResults";

const executed = (row: GtidRow) => row["@@GLOBAL.gtid_executed"];
const purged = (row: GtidRow) => row["@@GLOBAL.gtid_purged"];

function mysqlSource(row: GtidRow): SourceGtidFacts {
  return {
    gtidMode: "ON",
    enforceGtidConsistency: "ON",
    gtidExecuted: executed(row),
    gtidPurged: purged(row),
  };
}

function mysqlReplica(row: GtidRow) {
  return {
    serverId: 2,
    gtidExecuted: executed(row),
    gtidMode: "ON",
    enforceGtidConsistency: "ON",
  };
}

function statusOf(checks: { code: string; status: string }[], code: string): string | undefined {
  return checks.find((item) => item.code === code)?.status;
}

describe("MySQL GTID sets, on MySQL 8's result format", () => {
  it("parses multi-line sets with several intervals per UUID", () => {
    const set = parseMysqlGtidSet(executed(SOURCE));
    expect(set.get(UUIDS.SOURCE_UUID)).toEqual([{ start: 1, end: 18231 }]);
    expect(set.get(UUIDS.OLD_PRIMARY_UUID)).toEqual([
      { start: 1, end: 57 },
      { start: 60, end: 71 },
    ]);
    expect(formatMysqlGtidSet(set)).toBe(executed(SOURCE).replace(/\n/g, ""));
  });

  it("reads an empty gtid_executed as the empty set", () => {
    expect(parseMysqlGtidSet(executed(EMPTY_SERVER)).size).toBe(0);
  });

  it("keeps MySQL 8.3 tags apart from the untagged GTIDs of the same server", () => {
    const set = parseMysqlGtidSet(executed(SOURCE_WITH_TAGS));
    expect(set.get(UUIDS.SOURCE_UUID)).toEqual([{ start: 1, end: 50 }]);
    expect(set.get(`${UUIDS.SOURCE_UUID}:migration`)).toEqual([{ start: 1, end: 4 }]);
  });

  it("merges overlapping and adjacent intervals, and upper-case UUIDs, as the server does", () => {
    const set = parseMysqlGtidSet(`${UUIDS.SOURCE_UUID.toUpperCase()}:1-3:4-5:9,${UUIDS.SOURCE_UUID}:8-10`);
    expect(formatMysqlGtidSet(set)).toBe(`${UUIDS.SOURCE_UUID}:1-5:8-10`);
  });

  it("refuses text that is not a GTID set", () => {
    expect(() => parseMysqlGtidSet("not-a-uuid:1-5")).toThrow(GtidParseError);
    expect(() => parseMysqlGtidSet(`${UUIDS.SOURCE_UUID}:5-3`)).toThrow(GtidParseError);
    expect(() => parseMysqlGtidSet(`${UUIDS.SOURCE_UUID}`)).toThrow(GtidParseError);
  });

  it("subtracts, tests containment and unites like GTID_SUBTRACT / GTID_SUBSET", () => {
    const source = parseMysqlGtidSet(executed(SOURCE));
    const errant = parseMysqlGtidSet(executed(REPLICA_WITH_ERRANT));
    expect(formatMysqlGtidSet(mysqlGtidSubtract(errant, source))).toBe(`${UUIDS.REPLICA_UUID}:1-3`);
    expect(mysqlGtidSubset(parseMysqlGtidSet(executed(REPLICA_FROM_DUMP)), source)).toBe(true);
    expect(mysqlGtidSubset(errant, source)).toBe(false);
    const hole = mysqlGtidSubtract(source, parseMysqlGtidSet(`${UUIDS.SOURCE_UUID}:100-200`));
    expect(formatMysqlGtidSet(hole)).toBe(
      `${UUIDS.SOURCE_UUID}:1-99:201-18231,${UUIDS.OLD_PRIMARY_UUID}:1-57:60-71`,
    );
    expect(formatMysqlGtidSet(mysqlGtidUnion(hole, parseMysqlGtidSet(`${UUIDS.SOURCE_UUID}:100-200`)))).toBe(
      formatMysqlGtidSet(source),
    );
  });
});

describe("GTID consistency between MySQL servers, from recorded results", () => {
  it("passes a replica restored from a dump with --set-gtid-purged=ON", () => {
    const checks = gtidConsistencyCheck("mysql", mysqlSource(SOURCE), mysqlReplica(REPLICA_FROM_DUMP));
    expect(statusOf(checks, "GTID_ERRANT_TRANSACTIONS")).toBe("pass");
    expect(statusOf(checks, "GTID_PURGED_NEEDED")).toBe("pass");
  });

  it("names the errant transactions of a replica someone wrote on", () => {
    const checks = gtidConsistencyCheck("mysql", mysqlSource(SOURCE), mysqlReplica(REPLICA_WITH_ERRANT));
    const errant = checks.find((item) => item.code === "GTID_ERRANT_TRANSACTIONS");
    expect(errant?.status).toBe("fail");
    expect(errant?.message).toContain(`${UUIDS.REPLICA_UUID}:1-3`);
    expect(errant?.message).not.toContain(UUIDS.OLD_PRIMARY_UUID);
  });

  it("fails a replica ahead of its source under the source's own UUID", () => {
    const checks = gtidConsistencyCheck("mysql", mysqlSource(SOURCE), mysqlReplica(REPLICA_AHEAD_OF_SOURCE));
    expect(checks.find((item) => item.code === "GTID_ERRANT_TRANSACTIONS")?.message).toContain(
      `${UUIDS.SOURCE_UUID}:18232-18500`,
    );
  });

  it("fails a replica that needs transactions the source has purged, naming them", () => {
    const checks = gtidConsistencyCheck("mysql", mysqlSource(SOURCE), mysqlReplica(REPLICA_FROM_OLD_DUMP));
    const needed = checks.find((item) => item.code === "GTID_PURGED_NEEDED");
    expect(needed?.status).toBe("fail");
    expect(needed?.message).toContain(`${UUIDS.SOURCE_UUID}:801-1000`);
    expect(needed?.message).toContain("1236");
  });

  it("warns that an empty replica replays the source's whole history", () => {
    const checks = gtidConsistencyCheck(
      "mysql",
      mysqlSource({ ...SOURCE, "@@GLOBAL.gtid_purged": "" }),
      mysqlReplica(EMPTY_SERVER),
    );
    expect(statusOf(checks, "GTID_ERRANT_TRANSACTIONS")).toBe("pass");
    expect(statusOf(checks, "GTID_PURGED_NEEDED")).toBe("pass");
    expect(statusOf(checks, "GTID_REPLICA_POSITION")).toBe("warn");
  });

  it("fails GTID linking when the source has GTIDs off; file/position passes either way on the source side", () => {
    const mysql = {
      flavor: "mysql" as const,
      version: "8.0.36",
      majorMinor: "8.0",
      major: 8,
      minor: 0,
      patch: 36,
    };
    const off = { gtidMode: "OFF", enforceGtidConsistency: "OFF", gtidStrictMode: null };
    const on = { gtidMode: "ON", enforceGtidConsistency: "ON", gtidStrictMode: null };
    expect(gtidModeCheck(mysql, "gtid", off).status).toBe("fail");
    expect(gtidModeCheck(mysql, "gtid", { ...on, enforceGtidConsistency: "WARN" }).status).toBe("fail");
    expect(gtidModeCheck(mysql, "gtid", on).status).toBe("pass");
    // File/position with GTIDs on depends on the replica's gtid_mode: GTID_MODE_COMPATIBLE judges that pair.
    expect(gtidModeCheck(mysql, "binlogPosition", on).status).toBe("pass");
    expect(gtidModeCheck(mysql, "binlogPosition", off).status).toBe("pass");
  });
});

describe("a MariaDB source", () => {
  it("gets no GTID judgement beyond SOURCE_FLAVOR's refusal", () => {
    const mariadb = {
      flavor: "mariadb",
      version: "10.11.6-MariaDB",
      majorMinor: "10.11",
      major: 10,
      minor: 11,
      patch: 6,
    } as const;
    expect(gtidModeCheck(mariadb, "gtid", { gtidMode: null, enforceGtidConsistency: null }).status).toBe(
      "skipped",
    );
    const checks = gtidConsistencyCheck("mariadb", mysqlSource(SOURCE), mysqlReplica(REPLICA_FROM_DUMP));
    expect(checks.map((item) => item.status)).toEqual(["skipped", "skipped"]);
  });
});
