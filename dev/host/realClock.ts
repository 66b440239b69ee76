// Wall-clock Clock for the sandbox and manual runs: timers are setTimeouts.
import { type Clock, type ClockTimer } from "./clock";

// setTimeout overflows above 2^31-1 ms (~24.8 days); longer waits are re-armed in pieces.
const MAX_TIMEOUT_MS = 2_147_483_647;

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(atMs: number, fire: () => void): ClockTimer {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      const remaining = atMs - Date.now();
      if (remaining > MAX_TIMEOUT_MS) {
        handle = setTimeout(arm, MAX_TIMEOUT_MS);
        return;
      }
      handle = setTimeout(
        () => {
          if (!cancelled) fire();
        },
        Math.max(0, remaining),
      );
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}
