// Benchmark 8: the app's initial load of a generated database against `mysqldump --single-transaction | mysql` of the same data, in the same run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type MysqlServer } from "../dev/mysql";
import { startBenchStack } from "./benchStack";
import { FigureRecorder } from "./figures";
import { provisionThroughApi } from "./provisionThroughApi";

/** Database size: LOAD_BENCH_MB (default 60: the 2-core machine is shared with the rest of the run; 1024 for 1 GB). */
const TARGET_MB = Number(process.env.LOAD_BENCH_MB ?? 60);
const TABLES = 50;
const DATABASE = "loadbench";
const INSERT_BATCH = 500;

/** Row payload sizes in bytes, cycled over the tables: small rows, medium rows, and wide rows. */
const PAYLOADS = [40, 400, 4_000];

async function createDatabase(source: MysqlServer): Promise<{ rows: number; bytes: number }> {
  await source.rootQuery(`CREATE DATABASE ${DATABASE}`);
  const perTable = (TARGET_MB * 1024 * 1024) / TABLES;
  let rows = 0;
  let bytes = 0;
  for (let table = 0; table < TABLES; table++) {
    const payload = PAYLOADS[table % PAYLOADS.length]!;
    await source.rootQuery(
      `CREATE TABLE ${DATABASE}.t${table} (id INT NOT NULL PRIMARY KEY, label VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL, payload VARBINARY(8000) NOT NULL, created DATETIME(6) NOT NULL) ENGINE=InnoDB`,
    );
    const count = Math.max(1, Math.floor(perTable / (payload + 60)));
    for (let start = 0; start < count; start += INSERT_BATCH) {
      const values: unknown[][] = [];
      for (let id = start; id < Math.min(count, start + INSERT_BATCH); id++) {
        values.push([
          id + 1,
          `row-${id}`,
          (id % 100_000) / 100,
          Buffer.alloc(payload, id % 251),
          new Date(1_700_000_000_000 + id * 1000),
        ]);
      }
      await source.rootQuery(
        `INSERT INTO ${DATABASE}.t${table} (id, label, amount, payload, created) VALUES ?`,
        [values],
      );
    }
    rows += count;
    bytes += count * (payload + 60);
  }
  return { rows, bytes };
}

/** The mysql client tools beside the server binary (the private root's, run through its loader, or the system's). */
function clientCommand(
  server: MysqlServer,
  tool: "mysqldump" | "mysql",
): { command: string; args: string[] } {
  const binary = server.binary;
  const toolPath = join(binary.path, "..", "..", "bin", tool);
  if (binary.commandArgs.length === 0) return { command: toolPath, args: [] };
  return { command: binary.command, args: [...binary.commandArgs.slice(0, -1), toolPath] };
}

/** `mysqldump --single-transaction --source-data=2 | mysql` into the replica, as root over both servers' sockets. */
async function dumpAndRestore(source: MysqlServer, replica: MysqlServer): Promise<void> {
  const dump = clientCommand(source, "mysqldump");
  const restore = clientCommand(replica, "mysql");
  await new Promise<void>((resolve, reject) => {
    const dumper = spawn(
      dump.command,
      [
        ...dump.args,
        "--no-defaults",
        `--socket=${source.socketPath}`,
        "--user=root",
        "--single-transaction",
        "--source-data=2",
        "--set-gtid-purged=OFF",
        "--databases",
        DATABASE,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const restorer = spawn(
      restore.command,
      [...restore.args, "--no-defaults", `--socket=${replica.socketPath}`, "--user=root"],
      {
        stdio: ["pipe", "ignore", "pipe"],
      },
    );
    let errors = "";
    dumper.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    restorer.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    dumper.stdout.pipe(restorer.stdin);
    let exits = 0;
    const done = (code: number | null) => {
      if (code !== 0) reject(new Error(`dump | restore failed (${code}): ${errors.slice(0, 500)}`));
      else if (++exits === 2) resolve();
    };
    dumper.once("exit", done);
    restorer.once("exit", done);
  });
}

async function checksums(server: MysqlServer): Promise<string[]> {
  const tables = Array.from({ length: TABLES }, (_, table) => `${DATABASE}.t${table}`).join(", ");
  const rows = await server.rootQuery<{ Table: string; Checksum: string | number }>(
    `CHECKSUM TABLE ${tables}`,
  );
  return rows.map((row) => `${row.Table}=${String(row.Checksum)}`);
}

async function main(): Promise<void> {
  const out = new FigureRecorder("initialLoad");
  const stack = await startBenchStack();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    await stack.source.rootQuery(
      `GRANT RELOAD, BACKUP_ADMIN, SHOW VIEW, TRIGGER, EVENT, SHOW_ROUTINE ON *.* TO ?@'%'`,
      [stack.inspectionUser],
    );
    const generated = await createDatabase(stack.source);
    out.progress(
      `generated ${DATABASE}: ${TABLES} tables, ${generated.rows} rows, about ${(generated.bytes / 1048576).toFixed(0)} MiB`,
    );

    const baselineStarted = performance.now();
    await dumpAndRestore(stack.source, stack.replica);
    const baselineMs = performance.now() - baselineStarted;
    out.baseline(
      `mysqldump --single-transaction --source-data=2 | mysql of the same ${TABLES} tables: ${baselineMs.toFixed(0)} ms`,
    );
    await stack.replica.rootQuery(`DROP DATABASE ${DATABASE}`);

    // The app's load, with a writer changing the source throughout.
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const table = writes % TABLES;
        await stack.source.rootQuery(`UPDATE ${DATABASE}.t${table} SET amount = amount + 1 WHERE id = ?`, [
          (writes % 50) + 1,
        ]);
        writes++;
        await sleep(5);
      }
    })();
    peakRss = process.memoryUsage().rss;
    const idleRss = peakRss;
    const body = { ...stack.exampleRequest(), initialLoad: { databases: [DATABASE], parallelism: 4 } };
    const { ms } = await provisionThroughApi(stack, body);
    writing = false;
    await writer;

    // Catch-up: the replica has applied what the source wrote, then every table's checksum is compared.
    const [status] = await stack.source.rootQuery<{ File: string; Position: number }>(
      "SHOW BINARY LOG STATUS",
    );
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [replica] = await stack.replica.rootQuery<{
        Relay_Source_Log_File: string;
        Exec_Source_Log_Pos: number;
      }>("SHOW REPLICA STATUS");
      if (
        replica?.Relay_Source_Log_File === status?.File &&
        Number(replica?.Exec_Source_Log_Pos) >= Number(status?.Position)
      )
        break;
      if (Date.now() > deadline) throw new Error("the replica did not catch up within 120 s");
      await sleep(100);
    }
    const [onSource, onReplica] = await Promise.all([checksums(stack.source), checksums(stack.replica)]);
    const equal = onSource.filter((sum, index) => sum === onReplica[index]).length;

    out.figure("initialLoad.appMs", ms, "ms", {
      how: "POST with initialLoad to state replicating (copy, link at the snapshot, verify)",
    });
    out.figure("initialLoad.mysqldumpMs", baselineMs, "ms");
    out.figure("initialLoad.ratioAppOverMysqldump", ms / baselineMs, "x", { target: { max: 1 } });
    out.figure("initialLoad.megabytes", generated.bytes / 1048576, "MiB");
    out.figure("initialLoad.rows", generated.rows, "");
    out.figure("initialLoad.appPeakRssMiB", peakRss / 1048576, "MiB", {
      how: `the app's process (local host, emulators' clients) during the load; idle ${(idleRss / 1048576).toFixed(0)} MiB`,
    });
    out.figure("initialLoad.writesDuringLoad", writes, "");
    out.figure("initialLoad.tablesWithEqualChecksums", equal, "", { target: { min: TABLES } });
  } finally {
    clearInterval(sampler);
    await stack.stop();
  }
  out.write(join(__dirname, "..", "..", "bench", "results", `initialLoad-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
