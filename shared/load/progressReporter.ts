// The copy's live progress: phase, tables and rows so far, published at most once a second unless the phase changes.
import { type LoadProgress } from "./loadTypes";

const PUBLISH_INTERVAL_MS = 1_000;

export interface ProgressReporter {
  /** Enters a phase and publishes at once; returns the totals so far, with the rate over the whole copy. */
  enter(
    phase: LoadProgress["phase"],
    tablesTotal?: number,
  ): { rows: number; bytes: number; durationMs: number; rowsPerSecond: number };
  rowsWritten(rows: number, bytes: number): void;
  tableDone(): void;
}

export function createProgressReporter(onProgress?: (progress: LoadProgress) => void): ProgressReporter {
  const startedAt = Date.now();
  const progress: LoadProgress = {
    phase: "snapshot",
    tablesDone: 0,
    tablesTotal: 0,
    rows: 0,
    bytes: 0,
    rowsPerSecond: 0,
  };
  let lastPublished = 0;
  const rate = (now: number) => Math.round(progress.rows / Math.max(0.001, (now - startedAt) / 1000));
  const publish = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastPublished < PUBLISH_INTERVAL_MS) return;
    lastPublished = now;
    progress.rowsPerSecond = rate(now);
    onProgress?.({ ...progress });
  };
  return {
    enter(phase, tablesTotal) {
      progress.phase = phase;
      if (tablesTotal !== undefined) progress.tablesTotal = tablesTotal;
      publish(true);
      const now = Date.now();
      return {
        rows: progress.rows,
        bytes: progress.bytes,
        durationMs: now - startedAt,
        rowsPerSecond: rate(now),
      };
    },
    rowsWritten(rows, bytes) {
      progress.rows += rows;
      progress.bytes += bytes;
      publish(false);
    },
    tableDone() {
      progress.tablesDone += 1;
    },
  };
}
