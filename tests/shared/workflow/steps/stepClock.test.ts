// Step timings come from the clock given (the orchestration's), one record per finished step.
import { type FinishedStep, StepClock } from "../../../../shared/workflow/steps/stepClock";

describe("StepClock", () => {
  it("records each finished step with its duration, and knows the running one", () => {
    let now = Date.parse("2026-12-01T10:00:00.000Z");
    const finished: FinishedStep<string>[] = [];
    const clock = new StepClock<string>(
      () => new Date(now),
      (step) => finished.push(step),
    );
    expect(clock.stop()).toBe(false);
    clock.start("checking");
    now += 1500;
    clock.start("stopping");
    expect(clock.step).toBe("stopping");
    now += 250;
    expect(clock.stop()).toBe(true);
    expect(clock.step).toBeNull();
    expect(finished).toEqual([
      {
        step: "checking",
        startedAt: "2026-12-01T10:00:00.000Z",
        endedAt: "2026-12-01T10:00:01.500Z",
        durationMs: 1500,
      },
      {
        step: "stopping",
        startedAt: "2026-12-01T10:00:01.500Z",
        endedAt: "2026-12-01T10:00:01.750Z",
        durationMs: 250,
      },
    ]);
  });
});
