// Table filter patterns: MySQL's replicate-wild-ignore-table rules, the request field, the merge and the matching.
import { describeIssues, provisionRequestSchema } from "../../../shared/request/provisionRequest";
import {
  IGNORE_TABLE_VALUE_MAX_LENGTH,
  invalidIgnorePattern,
  matchesIgnorePattern,
  mergeIgnoreValue,
  sameIgnoreValue,
} from "../../../shared/request/tableFilters";

const schema = provisionRequestSchema({
  KEY_VAULT_ALLOWED_HOSTS: ["kv-repl.vault.azure.net"],
  SECRET_APP_SETTING_PREFIX: "REPLICATION_SECRET_",
});
const valid = {
  source: {
    host: "db.example.com",
    port: 3306,
    replicationUser: "repl",
    replicationPassword: { appSetting: "REPLICATION_SECRET_REPL" },
  },
  replica: {
    kind: "flexible",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-data",
    serverName: "replica-01",
    adminUser: "azureadmin",
    adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
  },
};

function problems(filters: unknown) {
  const result = schema.safeParse({ ...valid, filters }, { reportInput: true });
  return result.success ? [] : describeIssues(result.error);
}

describe("replicate-wild-ignore-table patterns", () => {
  it.each([
    "db.%",
    "db.table",
    "%.audit_%",
    "shop.order\\_log",
    "db%.t_",
    "a\\.b.c",
    "my-db.t$1",
    "db.\\%lit",
  ])("accepts %s", (pattern) => expect(invalidIgnorePattern(pattern)).toBeUndefined());

  it.each([
    ["", /empty/],
    ["db", /db\.table/],
    ["db.", /table pattern after the dot/],
    [".t", /database pattern before the dot/],
    ["a.b.c", /one unescaped dot/],
    ["db.t1,db.t2", /comma/],
    [" db.t", /spaces/],
    ["db.t\\", /lone backslash/],
    ["db.t\n", /control/],
    [`db.${"x".repeat(65)}`, /64 characters/],
  ])("refuses %j", (pattern, message) => expect(invalidIgnorePattern(pattern)).toMatch(message));

  it("counts % as no character and an escaped pair as one when judging the name limit", () => {
    expect(invalidIgnorePattern(`db.${"x".repeat(64)}%`)).toBeUndefined();
    expect(invalidIgnorePattern(`db.${"\\_".repeat(64)}`)).toBeUndefined();
    expect(invalidIgnorePattern(`db.${"\\_".repeat(65)}`)).toMatch(/64/);
  });

  it("matches as MySQL's wildcard compare: % any run, _ one character, \\ escapes, case ignored", () => {
    expect(matchesIgnorePattern("shop.%", "shop", "orders")).toBe(true);
    expect(matchesIgnorePattern("shop.%", "shopping", "orders")).toBe(false);
    expect(matchesIgnorePattern("shop.order_", "shop", "orders")).toBe(true);
    expect(matchesIgnorePattern("shop.order\\_", "shop", "orders")).toBe(false);
    expect(matchesIgnorePattern("shop.order\\_", "shop", "order_")).toBe(true);
    expect(matchesIgnorePattern("SHOP.Audit%", "shop", "audit_log")).toBe(true);
    expect(matchesIgnorePattern("s%", "shop", "t")).toBe(true);
  });

  it("merges with the server's own patterns and compares values as sets", () => {
    expect(mergeIgnoreValue("", ["a.%", "b.t"])).toBe("a.%,b.t");
    expect(mergeIgnoreValue("ops.%", ["a.%", "OPS.%"])).toBe("ops.%,a.%");
    expect(sameIgnoreValue("a.%,b.t", "b.t, A.%")).toBe(true);
    expect(sameIgnoreValue("a.%", "a.%,b.t")).toBe(false);
  });
});

describe("filters.ignoreTables in the request", () => {
  it("accepts patterns and keeps them", () => {
    const result = schema.safeParse({ ...valid, filters: { ignoreTables: ["shop.audit_%", "logs.%"] } });
    expect(result.success).toBe(true);
    expect(result.data?.filters?.ignoreTables).toEqual(["shop.audit_%", "logs.%"]);
  });

  it("reports each bad pattern with its index, all at once", () => {
    const found = problems({ ignoreTables: ["ok.%", "nodot", "a,b.c", "ok.%"] });
    expect(found.map((p) => p.path)).toEqual([
      "filters.ignoreTables[1]",
      "filters.ignoreTables[2]",
      "filters.ignoreTables[3]",
    ]);
    expect(found[2]?.message).toMatch(/twice/);
  });

  it("refuses an empty list, unknown fields and a value over the parameter's length limit", () => {
    expect(problems({ ignoreTables: [] })[0]?.message).toMatch(/at least one/);
    expect(problems({ ignoreTables: ["a.b"], doTables: ["x.y"] })[0]?.path).toBe("filters.doTables");
    const many = Array.from({ length: 70 }, (_, i) => `database_${i}.${"t".repeat(50)}`);
    expect(many.join(",").length).toBeGreaterThan(IGNORE_TABLE_VALUE_MAX_LENGTH);
    expect(problems({ ignoreTables: many })[0]?.message).toMatch(/at most 4096 characters/);
  });
});
