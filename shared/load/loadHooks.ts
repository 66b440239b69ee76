// Process-wide observers of a running copy: progress for whoever shows it, and a fault-injection point for tests and the benchmark.
import { type LoadProgress } from "./loadTypes";

export interface LoadHooks {
  onProgress?: (id: string, progress: LoadProgress) => void;
  afterBatch?: (batches: number) => Promise<void> | void;
  /** Smaller batches and chunks, so a small test database still exercises ranges and many batches. */
  tuning?: { batchRows?: number; batchBytes?: number; chunkRows?: number };
}

const hooks: LoadHooks = {};

/** The registered hooks; empty in production unless a progress store registers itself. */
export function loadHooks(): LoadHooks {
  return hooks;
}

export function setLoadHooks(next: LoadHooks): () => void {
  const previous = { ...hooks };
  Object.assign(hooks, next);
  return () => {
    delete hooks.onProgress;
    delete hooks.afterBatch;
    delete hooks.tuning;
    Object.assign(hooks, previous);
  };
}
