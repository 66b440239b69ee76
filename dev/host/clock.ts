// The time source of the local host: durable timers, OrchestratorStarted timestamps and status times all read it.

export interface ClockTimer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fire` once the clock reaches `atMs` (immediately-but-async if already past). */
  setTimer(atMs: number, fire: () => void): ClockTimer;
  /** The host reports when it has no work in flight; a manual clock may then jump to the next timer. */
  attachHost?(host: ClockHost): void;
}

export interface ClockHost {
  /** Resolves once no activity, episode or client request is in flight. */
  whenIdle(): Promise<void>;
  /** Subscribes to "became idle" notifications; returns an unsubscribe function. */
  onIdle(listener: () => void): () => void;
}
