// The figures one benchmark measured: prints a `name: value` line for each and writes them all to a JSON file.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A target a figure is held to: value <= max, or value >= min. */
export type Target = { max: number } | { min: number };

interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: Target;
  met?: boolean;
  /** How the figure was measured, in one sentence. */
  how?: string;
}

export interface BenchReport {
  benchmark: string;
  startedAt: string;
  durationMs: number;
  figures: Figure[];
  /** The baselines the ratios are taken against, measured in the same run. */
  baselines: string[];
  notes: string[];
}

/** Set by bench/run.ts; a benchmark run on its own writes next to the run's other results. */
export const RESULT_FILE_ENV = "BENCH_RESULT_FILE";

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function meets(value: number, target: Target): boolean {
  return "max" in target ? value <= target.max : value >= target.min;
}

export function describeTarget(target: Target | undefined): string {
  if (!target) return "";
  return "max" in target ? `<= ${target.max}` : `>= ${target.min}`;
}

export class FigureRecorder {
  readonly #report: BenchReport;
  readonly #started = Date.now();

  constructor(benchmark: string) {
    this.#report = {
      benchmark,
      startedAt: new Date().toISOString(),
      durationMs: 0,
      figures: [],
      baselines: [],
      notes: [],
    };
  }

  figure(name: string, value: number, unit: string, options: { target?: Target; how?: string } = {}): number {
    const figure: Figure = { name, value: round(value, 3), unit };
    if (options.target) {
      figure.target = options.target;
      figure.met = meets(value, options.target);
    }
    if (options.how) figure.how = options.how;
    this.#report.figures.push(figure);
    const target = options.target
      ? `  (target ${describeTarget(options.target)}: ${figure.met ? "met" : "MISSED"})`
      : "";
    process.stdout.write(`${name}: ${figure.value}${unit ? ` ${unit}` : ""}${target}\n`);
    return value;
  }

  baseline(text: string): void {
    this.#report.baselines.push(text);
    process.stdout.write(`baseline: ${text}\n`);
  }

  note(text: string): void {
    this.#report.notes.push(text);
    process.stdout.write(`note: ${text}\n`);
  }

  /** Progress that is not a figure (setup times and the like), on stderr so stdout stays figures. */
  progress(text: string): void {
    process.stderr.write(
      `[${this.#report.benchmark} ${((Date.now() - this.#started) / 1000).toFixed(1)} s] ${text}\n`,
    );
  }

  /** Writes the JSON file (BENCH_RESULT_FILE, or the given default) and prints its path. */
  write(defaultFile: string): string {
    this.#report.durationMs = Date.now() - this.#started;
    const file = process.env[RESULT_FILE_ENV] ?? defaultFile;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(this.#report, null, 2)}\n`);
    process.stdout.write(`figures written to ${file}\n`);
    return file;
  }
}

/** Milliseconds `work` took, and its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}
