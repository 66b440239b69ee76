// MySQL's gtid_mode compatibility between source and replica, judged before any change, for both linking methods.
import { GTID_MODES, gtidModePath, judgeGtidModes } from "../../../shared/domain/gtidModeCompatibility";

const facts = (gtidMode: string) => ({ gtidMode, enforceGtidConsistency: gtidMode === "ON" ? "ON" : "OFF" });

describe("judgeGtidModes", () => {
  // What the replica's applier accepts, from the MySQL manual: OFF only anonymous, ON only GTID transactions.
  const filePosition: Record<string, Record<string, "pass" | "fail">> = {
    OFF: { OFF: "pass", OFF_PERMISSIVE: "pass", ON_PERMISSIVE: "pass", ON: "fail" },
    OFF_PERMISSIVE: { OFF: "pass", OFF_PERMISSIVE: "pass", ON_PERMISSIVE: "pass", ON: "fail" },
    ON_PERMISSIVE: { OFF: "fail", OFF_PERMISSIVE: "pass", ON_PERMISSIVE: "pass", ON: "pass" },
    ON: { OFF: "fail", OFF_PERMISSIVE: "pass", ON_PERMISSIVE: "pass", ON: "pass" },
  };
  it.each(GTID_MODES.flatMap((source) => GTID_MODES.map((replica) => [source, replica] as const)))(
    "file/position: source %s, replica %s",
    (source, replica) => {
      const result = judgeGtidModes(facts(source), facts(replica), "binlogPosition");
      expect(result.code).toBe("GTID_MODE_COMPATIBLE");
      expect(result.status).toBe(filePosition[source]![replica]);
      if (result.status === "fail") expect(result.remedy).toMatch(/gtid_mode/);
    },
  );

  it("GTID linking needs the replica at ON, and the remedy walks the parameter up one step at a time", () => {
    const off = judgeGtidModes(facts("ON"), facts("OFF"), "gtid");
    expect(off.status).toBe("fail");
    expect(off.remedy).toContain("OFF → OFF_PERMISSIVE → ON_PERMISSIVE → ON");
    expect(off.remedy).toContain("enforce_gtid_consistency to ON first");
    expect(off.remedy).toContain(
      "az mysql flexible-server parameter set --name gtid_mode --value OFF_PERMISSIVE",
    );
    expect(off.remedy).toMatch(/does not let gtid_mode go back/);
    expect(judgeGtidModes(facts("ON"), facts("ON_PERMISSIVE"), "gtid").status).toBe("fail");
    expect(judgeGtidModes(facts("ON"), facts("ON"), "gtid").status).toBe("pass");
  });

  it("a GTID source and a replica with GTIDs off: raise the replica to OFF_PERMISSIVE for file/position", () => {
    const result = judgeGtidModes(facts("ON"), facts("OFF"), "binlogPosition");
    expect(result.message).toMatch(/writes GTID transactions/);
    expect(result.remedy).toContain("OFF → OFF_PERMISSIVE");
  });

  it("is skipped, not guessed, when a mode is unknown", () => {
    expect(judgeGtidModes({ gtidMode: null, enforceGtidConsistency: null }, facts("ON"), "gtid").status).toBe(
      "skipped",
    );
  });

  it("paths only go up", () => {
    expect(gtidModePath("OFF", "ON")).toEqual(["OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"]);
    expect(gtidModePath("ON", "OFF")).toEqual([]);
  });
});
