// An event copied to the replica is disabled there, with the clause the replica's version knows; its body is untouched.
import { disabledOnReplica } from "../../../shared/load/disabledOnReplica";

const event =
  "CREATE DEFINER=`app`@`%` EVENT `purge` ON SCHEDULE EVERY 1 HOUR STARTS '2026-01-01 00:00:00' ENABLE DO DELETE FROM t WHERE note = ' ENABLE '";

describe("disabledOnReplica", () => {
  it("uses DISABLE ON REPLICA from MySQL 8.0.22 and DISABLE ON SLAVE before", () => {
    expect(disabledOnReplica(event, "8.0.22")).toContain(" DISABLE ON REPLICA DO ");
    expect(disabledOnReplica(event, "9.7.4")).toContain(" DISABLE ON REPLICA DO ");
    expect(disabledOnReplica(event, "8.0.21")).toContain(" DISABLE ON SLAVE DO ");
    expect(disabledOnReplica(event, "5.7.44-log")).toContain(" DISABLE ON SLAVE DO ");
  });

  it("leaves the body as it was, even where it says ENABLE", () => {
    expect(disabledOnReplica(event, "8.0.36").endsWith("DO DELETE FROM t WHERE note = ' ENABLE '")).toBe(
      true,
    );
    expect(disabledOnReplica(event, "8.0.36")).not.toContain("' ENABLE ' ENABLE");
  });

  it("replaces a DISABLE already there rather than adding a second clause", () => {
    const disabled = event.replace(" ENABLE DO", " DISABLE DO");
    const result = disabledOnReplica(disabled, "8.0.36");
    expect(result.match(/DISABLE/g)).toHaveLength(1);
  });
});
