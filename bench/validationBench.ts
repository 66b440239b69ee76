// Benchmark 1 (and half of 5): dry-run validation of sources with 10, 1,000 and 10,000 tables, against one mysql2 connection.
import { join } from "node:path";
import { createConnection, type Connection } from "mysql2/promise";
import { type LocalStack } from "../dev/stack/localStack";
import { validateSource } from "../shared/source/sourceValidation";
import { startBenchStack } from "./benchStack";
import { FigureRecorder, median, timed } from "./figures";
import { runAppProcess } from "./runAppProcess";

const SIZES = [10, 1_000, 10_000] as const;
const REPEATS = 3;
const TABLES_PER_SCHEMA = 1_000;
const CREATE_BATCH = 2_000;
const MIB = 1024 * 1024;

/** Table i: every 10th has no primary key, every 20th (offset 5) is MyISAM; all have a secondary index. */
function createTableSql(index: number): string {
  const schema = `bench_${Math.floor(index / TABLES_PER_SCHEMA)}`;
  const key = index % 10 === 0 ? "id INT NOT NULL" : "id INT NOT NULL PRIMARY KEY";
  const engine = index % 20 === 5 ? "MyISAM" : "InnoDB";
  return `CREATE TABLE \`${schema}\`.\`t${index}\` (${key}, name VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL, KEY by_name (name)) ENGINE=${engine}`;
}

async function createTables(root: Connection, from: number, to: number): Promise<void> {
  for (
    let schema = Math.floor(from / TABLES_PER_SCHEMA);
    schema <= Math.floor((to - 1) / TABLES_PER_SCHEMA);
    schema++
  ) {
    await root.query(`CREATE DATABASE IF NOT EXISTS bench_${schema}`);
  }
  for (let start = from; start < to; start += CREATE_BATCH) {
    const statements: string[] = [];
    for (let index = start; index < Math.min(start + CREATE_BATCH, to); index++)
      statements.push(createTableSql(index));
    await root.query(statements.join(";\n"));
  }
}

const SYSTEM = "'mysql','information_schema','performance_schema','sys'";
/** The metadata queries validateSource sends, written out by hand: what one plain connection would run. */
const BASELINE_QUERIES = [
  "SELECT @@version AS version, @@version_comment AS versionComment",
  "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version','version_comment','log_bin','binlog_format','server_id','lower_case_table_names','gtid_mode','enforce_gtid_consistency','gtid_executed','require_secure_transport','have_ssl','binlog_expire_logs_seconds','expire_logs_days')",
  "SHOW GRANTS",
  `SELECT t.TABLE_SCHEMA, t.TABLE_NAME, COUNT(*) OVER () AS total FROM information_schema.TABLES t
    LEFT JOIN (SELECT DISTINCT TABLE_SCHEMA, TABLE_NAME FROM information_schema.STATISTICS WHERE INDEX_NAME = 'PRIMARY') k
      ON k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME
    WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_SCHEMA NOT IN (${SYSTEM}) AND k.TABLE_NAME IS NULL
    ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME LIMIT 50`,
  `SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, COUNT(*) OVER () AS total FROM information_schema.TABLES
    WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN (${SYSTEM}) AND ENGINE <> 'InnoDB'
    ORDER BY TABLE_SCHEMA, TABLE_NAME LIMIT 50`,
  `SELECT TABLE_SCHEMA, TABLE_NAME, COUNT(*) OVER () AS total FROM information_schema.TABLES
    WHERE TABLE_SCHEMA NOT IN (${SYSTEM})
      AND (BINARY TABLE_NAME <> BINARY LOWER(TABLE_NAME) OR BINARY TABLE_SCHEMA <> BINARY LOWER(TABLE_SCHEMA))
    ORDER BY TABLE_SCHEMA, TABLE_NAME LIMIT 50`,
  "SELECT Host, plugin, ssl_type FROM mysql.user WHERE User = 'repl'",
  "SHOW BINARY LOGS",
  "SHOW BINARY LOG STATUS",
];

/** One TLS connection as the inspection account, the metadata queries in sequence, closed: the floor. */
async function baselineOnce(stack: LocalStack): Promise<number> {
  const { ms } = await timed(async () => {
    const connection = await createConnection({
      host: stack.source.host,
      port: stack.source.port,
      user: stack.inspectionUser,
      password: stack.secrets.inspectionPassword!,
      ssl: { ca: stack.ca.caCertPem, rejectUnauthorized: true },
    });
    try {
      for (const sql of BASELINE_QUERIES) await connection.query(sql);
    } finally {
      await connection.end();
    }
  });
  return ms;
}

async function dryRunOnce(stack: LocalStack, body: unknown): Promise<number> {
  const { ms, value } = await timed(() =>
    stack.host.invokeHttp({ method: "POST", path: "/api/replications", body }),
  );
  if (value.status !== 200) throw new Error(`dry run answered ${value.status}: ${value.body.slice(0, 500)}`);
  return ms;
}

async function main(): Promise<void> {
  const out = new FigureRecorder("validation");
  const setupStarted = Date.now();
  const stack = await startBenchStack();
  try {
    out.progress(`stack up in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`);
    const body = { ...stack.exampleRequest(), dryRun: true };
    const root = await createConnection({
      socketPath: stack.source.socketPath,
      user: "root",
      password: "",
      multipleStatements: true,
    });
    // Setup only: the tables need not reach the binlog (nothing replicates in this benchmark).
    await root.query("SET SESSION sql_log_bin = 0");
    const times = new Map<number, number>();
    const baselines = new Map<number, number>();
    let created = 0;
    for (const size of SIZES) {
      const { ms: setupMs } = await timed(() => createTables(root, created, size));
      created = size;
      out.progress(
        `setup (not a figure): ${size} tables present, the last ${size === SIZES[0] ? size : "batch"} created in ${(setupMs / 1000).toFixed(1)} s`,
      );
      // Untimed warm-up: the first call pays for TLS contexts, tokens and table-definition caches.
      await dryRunOnce(stack, body);
      await baselineOnce(stack);
      const dryRuns: number[] = [];
      const plain: number[] = [];
      for (let repeat = 0; repeat < REPEATS; repeat++) {
        dryRuns.push(await dryRunOnce(stack, body));
        plain.push(await baselineOnce(stack));
      }
      const validation = await validateSource({
        host: stack.source.host,
        port: stack.source.port,
        replicationUser: stack.replicationUser,
        replicationPassword: stack.secrets.replicationPassword!,
        caCertificate: stack.ca.caCertPem,
        inspection: { user: stack.inspectionUser, password: stack.secrets.inspectionPassword! },
        linking: "binlogPosition",
        allowPrivateAddresses: true,
        connectTimeoutMs: 5_000,
      });
      times.set(size, median(dryRuns));
      baselines.set(size, median(plain));
      out.figure(`validation.dryRunMs.tables${size}`, median(dryRuns), "ms", {
        how: `POST /api/replications {dryRun:true} through the app on the local host, median of ${REPEATS} after a warm-up`,
      });
      out.figure(`validation.roundTrips.tables${size}`, validation.roundTrips, "", {
        how: "validateSource(...).roundTrips for the same source",
      });
      out.figure(`validation.baselineMs.tables${size}`, median(plain), "ms", {
        how: `one mysql2 TLS connection running the same ${BASELINE_QUERIES.length} metadata queries, median of ${REPEATS}`,
      });
    }
    await root.end();
    const small = times.get(SIZES[0])!;
    const large = times.get(10_000)!;
    out.baseline(
      `the 10-table dry run (${small.toFixed(1)} ms) and one plain mysql2 connection running the same metadata queries (${baselines.get(10_000)!.toFixed(1)} ms at 10,000 tables)`,
    );
    out.figure("validation.ratio10000over10", large / small, "x", { target: { max: 1.5 } });
    out.figure("validation.ratio10000overMysql2", large / baselines.get(10_000)!, "x", {
      target: { max: 2 },
    });
    out.figure(
      "validation.baselineRatio10000over10",
      baselines.get(10_000)! / baselines.get(SIZES[0])!,
      "x",
      {
        how: "the same growth for the plain-connection baseline: what MySQL's information_schema (data dictionary) itself costs",
      },
    );

    // 5a. The app alone in a fresh process: peak RSS over one 10,000-table dry run.
    const memory = await runAppProcess({
      appSettings: stack.appSettings,
      action: { kind: "dryRun", body, repeat: 1 },
    });
    out.baseline(
      `peak RSS of the same app process idle after host start: ${(memory.idlePeakRssBytes / MIB).toFixed(1)} MiB`,
    );
    out.figure("memory.validation10000.idlePeakRssMiB", memory.idlePeakRssBytes / MIB, "MiB");
    out.figure("memory.validation10000.peakRssMiB", memory.peakRssBytes / MIB, "MiB", {
      target: { max: 256 },
      how: "VmHWM of a fresh child process running the app on the local host through one 10,000-table dry run",
    });
    out.figure("memory.validation10000.dryRunColdMs", memory.durationsMs[0] ?? 0, "ms");
  } finally {
    await stack.stop();
  }
  out.write(join(__dirname, "..", "..", "bench", "results", `validation-${Date.now()}.json`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
