// Virtual-time Clock for tests: time moves only through advance() or, in auto-advance mode, when the host is idle.
import { type Clock, type ClockHost, type ClockTimer } from "./clock";

export interface ManualClockOptions {
  /** Start time; defaults to 2024-01-01T00:00:00Z so histories are reproducible. */
  startMs?: number;
  /** Jump to the earliest pending timer whenever the host has no other work in flight. */
  autoAdvance?: boolean;
}

interface PendingTimer {
  atMs: number;
  seq: number;
  fire: () => void;
}

export class ManualClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #timers: PendingTimer[] = [];
  #host: ClockHost | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly autoAdvance: boolean;

  constructor(options: ManualClockOptions = {}) {
    this.#nowMs = options.startMs ?? Date.UTC(2024, 0, 1);
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.#nowMs;
  }

  /** Pending timers' due times, earliest first (for assertions and debugging). */
  pendingTimers(): number[] {
    return this.#sorted().map((t) => t.atMs);
  }

  setTimer(atMs: number, fire: () => void): ClockTimer {
    const timer: PendingTimer = { atMs, seq: this.#seq++, fire };
    this.#timers.push(timer);
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  attachHost(host: ClockHost): void {
    this.#unsubscribe?.();
    this.#host = host;
    this.#unsubscribe = this.autoAdvance
      ? host.onIdle(() => this.#fireNext(Number.POSITIVE_INFINITY))
      : undefined;
  }

  /**
   * Moves virtual time forward by `ms`, firing due timers in order; after each one it waits until the work it caused
   * (episodes, activities, new timers that are also due) has settled.
   */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError("ManualClock.advance: ms must be >= 0");
    const target = this.#nowMs + ms;
    await this.#settle();
    while (this.#fireNext(target)) {
      await this.#settle();
    }
    this.#nowMs = Math.max(this.#nowMs, target);
    await this.#settle();
  }

  /** Sets the clock to an absolute time (not backwards), firing timers due up to it. */
  async advanceTo(atMs: number): Promise<void> {
    await this.advance(Math.max(0, atMs - this.#nowMs));
  }

  #sorted(): PendingTimer[] {
    return [...this.#timers].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  }

  #fireNext(limitMs: number): boolean {
    const next = this.#sorted()[0];
    if (!next || next.atMs > limitMs) return false;
    this.#timers = this.#timers.filter((t) => t !== next);
    this.#nowMs = Math.max(this.#nowMs, next.atMs);
    next.fire();
    return true;
  }

  async #settle(): Promise<void> {
    if (this.#host) {
      await this.#host.whenIdle();
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
