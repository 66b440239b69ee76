// Step timings from the orchestration clock: which step runs, and each finished one's start, end and duration.
export interface FinishedStep<S extends string> {
  step: S;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export class StepClock<S extends string> {
  private current: { step: S; startedAt: Date } | null = null;

  constructor(
    /** The orchestration clock (context.df.currentUtcDateTime), never the machine's. */
    private readonly now: () => Date,
    private readonly record: (finished: FinishedStep<S>) => void,
  ) {}

  /** The running step; null between steps. */
  get step(): S | null {
    return this.current?.step ?? null;
  }

  /** Ends the running step, if any, and starts `step`. */
  start(step: S): void {
    this.stop();
    this.current = { step, startedAt: this.now() };
  }

  /** Records the running step as finished now; false when none was running. */
  stop(): boolean {
    const current = this.current;
    if (!current) return false;
    const endedAt = this.now();
    this.record({
      step: current.step,
      startedAt: current.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - current.startedAt.getTime(),
    });
    this.current = null;
    return true;
  }
}
