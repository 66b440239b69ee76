// `npm run bench [-- name ...]`: creates the run's CA, runs each benchmark in its own process, prints and saves a summary.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCa } from "../dev/tls/testCa";
import { type BenchReport, describeTarget, RESULT_FILE_ENV } from "./figures";

/** Benchmark name -> compiled entry file; "memory" is measured inside validation and revalidation. */
const BENCHMARKS: Record<string, string> = {
  validation: "validationBench.js",
  provisioning: "provisioningBench.js",
  coldstart: "coldStartBench.js",
  revalidation: "revalidationBench.js",
  replication: "replicationBench.js",
  probe: "probeBench.js",
  initialLoad: "initialLoadBench.js",
};
const ALIASES: Record<string, string[]> = { memory: ["validation", "revalidation"] };

function selected(argv: readonly string[]): string[] {
  if (argv.length === 0) return Object.keys(BENCHMARKS);
  const names = new Set<string>();
  for (const arg of argv) {
    const expanded = ALIASES[arg] ?? [arg];
    for (const name of expanded) {
      if (!BENCHMARKS[name]) {
        throw new Error(
          `unknown benchmark ${arg}; known: ${[...Object.keys(BENCHMARKS), ...Object.keys(ALIASES)].join(", ")}`,
        );
      }
      names.add(name);
    }
  }
  // Always in the declared order, whatever the command line's.
  return Object.keys(BENCHMARKS).filter((name) => names.has(name));
}

function runChild(entry: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // NODE_EXTRA_CA_CERTS is read once at startup: only a process started after the CA exists trusts the emulators.
    const child = spawn(process.execPath, [entry], { stdio: "inherit", env });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

async function main(argv: readonly string[]): Promise<number> {
  const names = selected(argv);
  const started = Date.now();
  const stamp = new Date(started).toISOString().replace(/[:.]/g, "-");
  const resultsDir = join(__dirname, "..", "..", "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "replication-bench-"));
  const reports: BenchReport[] = [];
  const failed: string[] = [];
  try {
    const ca = await createTestCa(join(dir, "ca"));
    for (const name of names) {
      const file = join(resultsDir, `${stamp}-${name}.json`);
      process.stdout.write(`\n== ${name} ==\n`);
      const code = await runChild(join(__dirname, BENCHMARKS[name]!), {
        ...process.env,
        DEV_CA_DIR: ca.dir,
        NODE_EXTRA_CA_CERTS: ca.caCertFile,
        [RESULT_FILE_ENV]: file,
      });
      if (code !== 0) {
        failed.push(name);
        process.stdout.write(`${name} failed (exit ${code})\n`);
        continue;
      }
      reports.push(JSON.parse(readFileSync(file, "utf8")) as BenchReport);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const totalMs = Date.now() - started;
  const rows = reports.flatMap((report) =>
    report.figures.map((figure) => ({
      name: figure.name,
      value: `${figure.value}${figure.unit ? ` ${figure.unit}` : ""}`,
      target: describeTarget(figure.target),
      verdict: figure.target ? (figure.met ? "met" : "MISSED") : "",
    })),
  );
  const width = Math.max(6, ...rows.map((row) => row.name.length));
  process.stdout.write(`\n== summary (${(totalMs / 1000).toFixed(0)} s) ==\n`);
  process.stdout.write(`${pad("figure", width)}  ${pad("value", 14)}  ${pad("target", 9)}  result\n`);
  for (const row of rows) {
    process.stdout.write(
      `${pad(row.name, width)}  ${pad(row.value, 14)}  ${pad(row.target, 9)}  ${row.verdict}\n`,
    );
  }
  const summaryFile = join(resultsDir, `${stamp}.json`);
  writeFileSync(
    summaryFile,
    `${JSON.stringify({ startedAt: new Date(started).toISOString(), totalMs, failed, reports }, null, 2)}\n`,
  );
  process.stdout.write(`results written to ${summaryFile}\n`);
  if (failed.length > 0) process.stdout.write(`failed: ${failed.join(", ")}\n`);
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
