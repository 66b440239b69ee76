// Whether the replica's replicate_wild_ignore_table can take a request's patterns, without a server.
import { tableFilterCheck } from "../../../shared/replica/tableFilterCheck";

const parameter = (value: string, isReadOnly = false) => ({
  name: "replicate_wild_ignore_table",
  value,
  defaultValue: "",
  isReadOnly,
});

describe("tableFilterCheck", () => {
  it("merges the request's patterns into the server's own, keeping them", () => {
    const result = tableFilterCheck(parameter("ops.%"), ["app.audit%"]);
    expect(result.check.status).toBe("pass");
    expect(result.filter?.currentValue).toBe("ops.%");
    expect(result.filter?.wantedValue).toContain("app.audit%");
    expect(result.filter?.wantedValue).toContain("ops.%");
    expect(result.check.message).toContain("its own patterns ops.% are kept");
  });

  it("says when every pattern is already there", () => {
    expect(tableFilterCheck(parameter("app.audit%"), ["app.audit%"]).check.message).toContain(
      "already holds",
    );
  });

  it("fails a missing or read-only parameter, and a merged value over the limit", () => {
    expect(tableFilterCheck(null, ["a.b"]).check.status).toBe("fail");
    expect(tableFilterCheck(parameter("", true), ["a.b"]).check.message).toContain("read-only");
    const long = Array.from({ length: 400 }, (_, index) => `db${index}.table${index}`);
    const over = tableFilterCheck(parameter(""), long);
    expect(over.check.status).toBe("fail");
    expect(over.filter).toBeUndefined();
  });
});
