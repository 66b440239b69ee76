// Primary keys, storage engines and foreign keys across the table filters, judged from the inspection account's findings.
import { type CheckResult } from "../../../../shared/domain/checkResult";
import { schemaChecks } from "../../../../shared/source/checks/schemaChecks";
import { checkInput, connected, inspected } from "../fixtures/gatheredFacts";

const { primaryKeys, innodbTables, tableFilterForeignKeys } = schemaChecks;

function only(outcome: CheckResult | CheckResult[]): CheckResult {
  const results = [outcome].flat();
  expect(results).toHaveLength(1);
  return results[0]!;
}

const keyless = { names: ["shop.audit", "shop.log"], total: 2 };

describe("PRIMARY_KEYS", () => {
  it("passes when every table has one", () => {
    expect(only(primaryKeys.rule(connected(), checkInput()))).toMatchObject({
      status: "pass",
      message: "Every table outside the system schemas has a primary key.",
    });
  });

  it("fails tables without one for a Single Server replica, naming them", () => {
    const facts = connected({ inspection: inspected({ tablesWithoutPrimaryKey: keyless }) });
    expect(only(primaryKeys.rule(facts, checkInput({ replicaKind: "single" })))).toMatchObject({
      status: "fail",
      message: "2 table(s) have no primary key: shop.audit, shop.log.",
      remedy: expect.stringMatching(/ADD PRIMARY KEY/),
    });
  });

  it("only warns for a Flexible Server replica, saying why it still matters", () => {
    const facts = connected({ inspection: inspected({ tablesWithoutPrimaryKey: keyless }) });
    const result = only(primaryKeys.rule(facts, checkInput({ replicaKind: "flexible" })));
    expect(result.status).toBe("warn");
    expect(result.message).toMatch(
      /^2 table\(s\) have no primary key: shop\.audit, shop\.log\. Flexible Server replicates tables without a primary key/,
    );
  });

  it("counts the tables it does not name", () => {
    const facts = connected({
      inspection: inspected({ tablesWithoutPrimaryKey: { names: ["a.b", "a.c"], total: 60 } }),
    });
    expect(only(primaryKeys.rule(facts, checkInput())).message).toBe(
      "60 table(s) have no primary key: a.b, a.c and 58 more.",
    );
  });

  it("says which tables the filters left out, passing or failing", () => {
    const input = checkInput({ ignoreTables: ["shop.tmp_%", "logs.%"] });
    expect(only(primaryKeys.rule(connected(), input)).message).toBe(
      "Every table outside the system schemas has a primary key. Tables matching filters.ignoreTables (shop.tmp_%, logs.%) are not replicated and were left out of this check.",
    );
  });
});

describe("INNODB_TABLES", () => {
  it("passes all-InnoDB schemas and fails others, naming them, even on Flexible Server", () => {
    expect(only(innodbTables.rule(connected(), checkInput())).status).toBe("pass");
    const facts = connected({
      inspection: inspected({ tablesNotInnodb: { names: ["shop.legacy"], total: 1 } }),
    });
    expect(only(innodbTables.rule(facts, checkInput({ replicaKind: "flexible" })))).toMatchObject({
      status: "fail",
      message: "1 table(s) do not use InnoDB: shop.legacy.",
      remedy: expect.stringMatching(/ENGINE=InnoDB/),
    });
  });
});

describe("TABLE_FILTER_FOREIGN_KEYS", () => {
  const filters = checkInput({ ignoreTables: ["shop.customers"] });

  it("applies only with table filters", () => {
    expect(tableFilterForeignKeys.appliesTo?.(checkInput())).toBe(false);
    expect(tableFilterForeignKeys.appliesTo?.(filters)).toBe(true);
  });

  it("passes when no foreign key crosses the filter", () => {
    const facts = connected({ inspection: inspected({ splitForeignKeys: [] }) });
    expect(only(tableFilterForeignKeys.rule(facts, filters)).status).toBe("pass");
  });

  it("warns, naming each split key and which side is filtered out", () => {
    const facts = connected({
      inspection: inspected({
        splitForeignKeys: [
          { from: "shop.orders", constraint: "fk_customer", to: "shop.customers", childIgnored: false },
          { from: "shop.customers", constraint: "fk_region", to: "shop.regions", childIgnored: true },
        ],
      }),
    });
    const result = only(tableFilterForeignKeys.rule(facts, filters));
    expect(result.status).toBe("warn");
    expect(result.message).toMatch(
      /^The table filters split foreign keys across replicated and filtered tables: shop\.orders \(fk_customer\) references shop\.customers, and only shop\.customers is filtered out; shop\.customers \(fk_region\) references shop\.regions, and only shop\.customers is filtered out\. .*error 1452/,
    );
  });

  it("names at most 50 and says there are more", () => {
    const split = Array.from({ length: 51 }, (_, i) => ({
      from: `s.t${i}`,
      constraint: `fk${i}`,
      to: "s.parent",
      childIgnored: false,
    }));
    const message = only(
      tableFilterForeignKeys.rule(connected({ inspection: inspected({ splitForeignKeys: split }) }), filters),
    ).message;
    expect(message).toMatch(/s\.t49 \(fk49\)/);
    expect(message).not.toMatch(/s\.t50 \(fk50\)/);
    expect(message).toMatch(/; and more\. /);
  });
});
