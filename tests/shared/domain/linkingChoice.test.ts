// The linking choice without a server: the request wins; without one, high availability means GTID.
import { chooseLinking, hasHighAvailability } from "../../../shared/domain/linkingChoice";

describe("chooseLinking", () => {
  it("takes the request's method, even on an HA replica", () => {
    expect(chooseLinking("binlogPosition", { highAvailabilityMode: "ZoneRedundant" })).toEqual({
      method: "binlogPosition",
      chosenBy: "request",
    });
  });

  it("chooses GTID for a replica with high availability", () => {
    expect(chooseLinking(undefined, { highAvailabilityMode: "SameZone" })).toEqual({
      method: "gtid",
      chosenBy: "highAvailability",
    });
  });

  it("defaults to binlog coordinates otherwise", () => {
    expect(chooseLinking(undefined, { highAvailabilityMode: "Disabled" })).toEqual({
      method: "binlogPosition",
      chosenBy: "default",
    });
    expect(chooseLinking(undefined, null).method).toBe("binlogPosition");
  });
});

describe("hasHighAvailability", () => {
  it.each([
    [null, false],
    ["", false],
    ["Disabled", false],
    ["ZoneRedundant", true],
  ])("%p -> %p", (mode, expected) => {
    expect(hasHighAvailability({ highAvailabilityMode: mode })).toBe(expected);
  });
});
