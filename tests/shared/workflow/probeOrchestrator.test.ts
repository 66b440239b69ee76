// The probe pass's sums without a host: figures and states add up, and only the first 50 transitions are listed.
import { type ProbeOutput, addBatch, emptyOutput } from "../../../shared/workflow/probeOrchestrator";

function emptyPass(): ProbeOutput {
  return emptyOutput("2026-12-01T00:00:00.000Z", 0, 0);
}

function transitions(count: number, offset = 0) {
  return Array.from({ length: count }, (_, index) => ({
    id: `rpl-${index + offset}`,
    from: "healthy" as const,
    to: "broken" as const,
    errno: 1062,
  }));
}

describe("addBatch", () => {
  it("sums the figures and the states of every batch", () => {
    const pass = emptyPass();
    addBatch(pass, {
      probed: 3,
      roundTrips: 3,
      writes: 2,
      states: { healthy: 2, lagging: 0, broken: 1, unreachable: 0 },
      transitions: transitions(1),
    });
    addBatch(pass, {
      probed: 2,
      roundTrips: 2,
      writes: 0,
      states: { healthy: 1, lagging: 1, broken: 0, unreachable: 0 },
      transitions: [],
    });
    expect(pass).toMatchObject({
      probed: 5,
      roundTrips: 5,
      writes: 2,
      states: { healthy: 3, lagging: 1, broken: 1, unreachable: 0 },
      transitionCount: 1,
    });
  });

  it("counts every transition but lists the first 50 only", () => {
    const pass = emptyPass();
    const states = { healthy: 40, lagging: 0, broken: 0, unreachable: 0 };
    const batch = { probed: 40, roundTrips: 40, writes: 0, states };
    addBatch(pass, { ...batch, transitions: transitions(40) });
    addBatch(pass, { ...batch, transitions: transitions(40, 40) });
    expect(pass.transitionCount).toBe(80);
    expect(pass.states.healthy).toBe(80);
    expect(pass.transitions).toHaveLength(50);
    expect(pass.transitions[49]?.id).toBe("rpl-49");
  });
});
