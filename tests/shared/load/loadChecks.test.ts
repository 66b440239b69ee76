// The initial load's checks without a server: privileges and snapshot method, linking, databases, engines, emptiness, creators, size.
import {
  databasesToLoad,
  functionCreatorsCheck,
  loadEnginesCheck,
  loadLinkingCheck,
  loadSizeCheck,
  replicaEmptyCheck,
  snapshotMethodCheck,
} from "../../../shared/load/loadChecks";

const basic = new Set(["RELOAD", "REPLICATION CLIENT", "SELECT"]);

describe("snapshotMethodCheck", () => {
  it("uses the backup lock on MySQL 8.0+ with BACKUP_ADMIN", () => {
    const result = snapshotMethodCheck("8.0.36", new Set([...basic, "BACKUP_ADMIN"]));
    expect(result.method).toBe("backupLockAndReadLock");
    expect(result.check).toMatchObject({ code: "LOAD_PRIVILEGES", status: "pass", remedy: "" });
    expect(result.check.message).toContain("LOCK INSTANCE FOR BACKUP");
  });

  it("falls back to the read lock with a warning on 8.0+ without BACKUP_ADMIN, and silently on 5.7", () => {
    const modern = snapshotMethodCheck("9.7.4", basic);
    expect(modern.method).toBe("readLock");
    expect(modern.check.status).toBe("warn");
    expect(modern.check.remedy).toBe("GRANT BACKUP_ADMIN ON *.* TO the inspection user.");
    const old = snapshotMethodCheck("5.7.44", basic);
    expect(old).toMatchObject({ method: "readLock", check: { status: "pass" } });
  });

  it("names every missing privilege and refuses", () => {
    const result = snapshotMethodCheck("8.0.36", new Set(["SELECT"]));
    expect(result.method).toBeNull();
    expect(result.check.status).toBe("fail");
    expect(result.check.message).toContain("lacks RELOAD, REPLICATION CLIENT");
    expect(result.check.remedy).toMatch(/^GRANT RELOAD, REPLICATION CLIENT, BACKUP_ADMIN ON \*\.\*/);
  });

  it("takes ALL PRIVILEGES as every privilege", () => {
    expect(snapshotMethodCheck("8.0.36", new Set(["ALL PRIVILEGES"])).method).toBe("backupLockAndReadLock");
  });
});

describe("loadLinkingCheck", () => {
  it("refuses GTID linking only", () => {
    expect(loadLinkingCheck("binlogPosition")).toBeNull();
    expect(loadLinkingCheck("gtid")).toMatchObject({ code: "LOAD_LINKING", status: "fail" });
  });
});

describe("databasesToLoad", () => {
  const schemas = ["Sales", "information_schema", "mysql", "performance_schema", "shop", "sys"];

  it("takes every user database for all", () => {
    expect(databasesToLoad("all", schemas)).toEqual({ databases: ["Sales", "shop"], check: null });
  });

  it("names the databases the source does not have, keeping those it has", () => {
    const result = databasesToLoad(["shop", "gone", "sales"], schemas);
    expect(result.databases).toEqual(["shop"]);
    expect(result.check?.message).toContain("gone, sales");
  });

  it("refuses a source with no user database", () => {
    expect(databasesToLoad("all", ["mysql", "sys"]).check?.message).toBe(
      "The source has no user database to load.",
    );
  });
});

describe("loadEnginesCheck, functionCreatorsCheck, loadSizeCheck", () => {
  it("refuses non-InnoDB tables", () => {
    expect(loadEnginesCheck(0)).toBeNull();
    expect(loadEnginesCheck(2)).toMatchObject({ code: "LOAD_ENGINES", status: "fail" });
  });

  it("refuses triggers or functions only on a binlogging replica that does not trust function creators", () => {
    expect(functionCreatorsCheck(3, { logBin: true, trustFunctionCreators: false })?.message).toContain(
      "have 3 trigger(s) or stored function(s)",
    );
    expect(functionCreatorsCheck(3, { logBin: true, trustFunctionCreators: true })).toBeNull();
    expect(functionCreatorsCheck(3, { logBin: false, trustFunctionCreators: false })).toBeNull();
    expect(functionCreatorsCheck(0, { logBin: true, trustFunctionCreators: false })).toBeNull();
  });

  it("states the size in MiB", () => {
    expect(loadSizeCheck(2, { tables: 5, rows: 1000, bytes: 3 * 1048576 }).message).toBe(
      "2 database(s), 5 table(s), about 1000 rows and 3 MiB to copy.",
    );
  });
});

describe("replicaEmptyCheck", () => {
  it("refuses occupied databases under refuse, listing at most 20 objects", () => {
    const occupied = Array.from({ length: 25 }, (_, index) => `shop.t${index}`);
    const result = replicaEmptyCheck("refuse", ["shop"], ["shop"], occupied);
    expect(result?.status).toBe("fail");
    expect(result?.message).toContain("already has 25 object(s)");
    expect(result?.message).toContain("and 5 more");
  });

  it("passes empty databases under refuse", () => {
    expect(replicaEmptyCheck("refuse", ["shop"], ["shop"], [])?.status).toBe("pass");
  });

  it("warns what replace will drop, and says nothing when nothing is there", () => {
    expect(replicaEmptyCheck("replace", ["shop"], ["shop"], ["shop.t"])?.status).toBe("warn");
    expect(replicaEmptyCheck("replace", ["shop"], [], [])).toBeNull();
  });
});
