// The replica's replicate_wild_ignore_table against what the link set, without a server.
import { tableFilterDrift } from "../../../shared/health/tableFilterDrift";

const filter = {
  parameter: "replicate_wild_ignore_table" as const,
  ignoreTables: ["app.audit%"],
  value: "app.audit%",
  previousValue: "",
};

describe("tableFilterDrift", () => {
  it("finds nothing while the value is the one the link set", () => {
    expect(tableFilterDrift(filter, "app.audit%")).toBeNull();
  });

  it("says tables meant to be left out replicate again when a pattern is gone", () => {
    const finding = tableFilterDrift(filter, "");
    expect(finding?.code).toBe("REPLICATION_FILTER_CHANGED");
    expect(finding?.message).toContain("is empty, not the app.audit%");
    expect(finding?.message).toContain("replicated again");
  });

  it("says more tables are left out when patterns were added", () => {
    const finding = tableFilterDrift(filter, "app.audit%,app.logs%");
    expect(finding?.message).toContain("more tables are left out than asked");
    expect(finding?.remedy).toContain("Set replicate_wild_ignore_table back to app.audit%");
  });
});
