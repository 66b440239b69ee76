// `--demo`: drives the running sandbox through its real HTTP API: provision, replicate rows, re-validate, rotate, cut over, tear down, seed by initial load.
import { setTimeout as sleep } from "node:timers/promises";
import { type LocalStack } from "../stack/localStack";
import { type SandboxOutput } from "./sandboxOutput";
import { RUNNING_RUNTIME_STATES } from "../../shared/workflow/singletonInstance";

/** A step of the demo did not end as it should; the message says which and what was seen. */
export class DemoFailure extends Error {
  override readonly name = "DemoFailure";
}

export interface DemoContext {
  /** http://127.0.0.1:PORT */
  origin: string;
  stack: LocalStack;
  out: SandboxOutput;
  /** Aborted by Ctrl-C / SIGTERM. */
  signal: AbortSignal;
}

interface Check {
  code: string;
  status: string;
  message: string;
  remedy: string;
}

interface ReplicationView {
  id: string;
  state: string;
  runtimeStatus: string | null;
  checks: Check[];
  error: { code: string; message: string; remedy: string } | null;
  health: {
    state: string;
    checkedAt: string;
    ioThread: string;
    sqlThread: string;
    secondsBehindSource: number | null;
    drift: { code: string; message: string; remedy: string }[];
    recovery: { action: string; outcome: string; detail: string }[];
  } | null;
  teardown: { runtimeStatus: string; output: unknown } | null;
}

const POLL_INTERVAL_MS = 250;
const DEMO_ROWS = [
  { id: 1001, customer: "hopper", amount: "42.00" },
  { id: 1002, customer: "lovelace", amount: "13.37" },
  { id: 1003, customer: "dijkstra", amount: "8.10" },
  { id: 1004, customer: "liskov", amount: "250.00" },
  { id: 1005, customer: "knuth", amount: "2.56" },
];

async function call(
  ctx: DemoContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${ctx.origin}${path}`, {
    method,
    signal: ctx.signal,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new DemoFailure(
      `${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  return { status: response.status, json };
}

/** Calls `probe` until it returns a value; fails after `timeoutMs` naming what it waited for. */
async function waitFor<T>(
  ctx: DemoContext,
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new DemoFailure(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(POLL_INTERVAL_MS, undefined, { signal: ctx.signal });
  }
}

async function view(ctx: DemoContext, id: string): Promise<ReplicationView> {
  const { status, json } = await call(ctx, "GET", `/api/replications/${id}`);
  if (status !== 200)
    throw new DemoFailure(`GET /api/replications/${id} answered ${status}: ${JSON.stringify(json)}`);
  return json as unknown as ReplicationView;
}

function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

async function provision(ctx: DemoContext, body: unknown = ctx.stack.exampleRequest()): Promise<string> {
  const { out } = ctx;
  const started = Date.now();
  const post = await call(ctx, "POST", "/api/replications", body);
  if (post.status !== 202 && post.status !== 200) {
    throw new DemoFailure(`POST /api/replications answered ${post.status}: ${JSON.stringify(post.json)}`);
  }
  const id = String(post.json.id);
  out.line(`  POST /api/replications -> ${post.status}, id ${id}`);
  let lastState = "";
  const final = await waitFor(ctx, `provisioning ${id} to finish`, 120_000, async () => {
    const current = await view(ctx, id);
    if (current.state !== lastState) {
      out.line(`    ${seconds(started).padStart(7)}  ${current.state}`);
      lastState = current.state;
    }
    return current.runtimeStatus && !RUNNING_RUNTIME_STATES.has(current.runtimeStatus) ? current : undefined;
  });
  const failed = final.checks.filter((item) => item.status === "fail");
  const warned = final.checks.filter((item) => item.status === "warn");
  if (final.state !== "replicating") {
    out.line(`  provisioning ended ${final.state} (${final.runtimeStatus ?? "no orchestration"})`);
    for (const item of failed) {
      out.line(`  FAILED CHECK ${item.code}: ${item.message}`);
      if (item.remedy) out.line(`    remedy: ${item.remedy}`);
    }
    if (final.error) {
      out.line(`  error ${final.error.code}: ${final.error.message}`);
      if (final.error.remedy) out.line(`    remedy: ${final.error.remedy}`);
    }
    const failedCodes = failed.map((item) => item.code).join(", ");
    throw new DemoFailure(`provisioning failed${failedCodes ? ` (${failedCodes})` : ""}`);
  }
  out.line(
    `  replicating after ${seconds(started)}: ${final.checks.length} checks, ${warned.length} warnings, 0 failures`,
  );
  for (const item of warned) out.line(`    warning ${item.code}: ${item.message}`);
  return id;
}

async function replicateRows(ctx: DemoContext): Promise<void> {
  const { out, stack } = ctx;
  const ids = DEMO_ROWS.map((row) => row.id);
  const started = Date.now();
  for (const row of DEMO_ROWS) {
    await stack.source.rootQuery("INSERT INTO shop.orders (id, customer, amount) VALUES (?, ?, ?)", [
      row.id,
      row.customer,
      row.amount,
    ]);
  }
  out.line(`  wrote ${DEMO_ROWS.length} orders on the source (${stack.source.host}:${stack.source.port})`);
  const rows = await waitFor(ctx, `the ${DEMO_ROWS.length} orders on the replica`, 30_000, async () => {
    const found = await stack.replica.rootQuery<{ id: number; customer: string; amount: string }>(
      "SELECT id, customer, amount FROM shop.orders WHERE id IN (?) ORDER BY id",
      [ids],
    );
    return found.length === ids.length ? found : undefined;
  });
  out.line(`  on the replica (${stack.replica.host}:${stack.replica.port}) after ${seconds(started)}:`);
  out.line(`      id  customer    amount`);
  for (const row of rows) {
    out.line(
      `    ${String(row.id).padStart(4)}  ${row.customer.padEnd(10)} ${String(row.amount).padStart(7)}`,
    );
  }
}

async function revalidate(ctx: DemoContext, id: string): Promise<void> {
  const { out } = ctx;
  const started = Date.now();
  const post = await call(ctx, "POST", `/api/replications/${id}/revalidate`);
  if (post.status !== 202) {
    throw new DemoFailure(
      `POST /api/replications/${id}/revalidate answered ${post.status}: ${JSON.stringify(post.json)}`,
    );
  }
  const instanceId = String(post.json.revalidationInstanceId);
  out.line(`  POST /api/replications/${id}/revalidate -> 202`);
  // The re-validation is its own orchestration; its status is on the Durable extension's webhook routes.
  const runtimeStatus = await waitFor(ctx, "the re-validation to finish", 60_000, async () => {
    const status = await call(
      ctx,
      "GET",
      // The webhook routes need the durable extension's system key, as on Azure.
      `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?code=${encodeURIComponent(ctx.stack.host.systemKey)}`,
    );
    const value = typeof status.json.runtimeStatus === "string" ? status.json.runtimeStatus : undefined;
    return status.status === 404 || (value && RUNNING_RUNTIME_STATES.has(value))
      ? undefined
      : (value ?? `HTTP ${status.status}`);
  });
  if (runtimeStatus !== "Completed") throw new DemoFailure(`the re-validation ended ${runtimeStatus}`);
  const { health } = await view(ctx, id);
  if (!health) throw new DemoFailure("the re-validation finished but GET shows no health");
  const behind = health.secondsBehindSource === null ? "unknown" : `${health.secondsBehindSource} s`;
  out.line(
    `  health after ${seconds(started)}: ${health.state} (IO thread ${health.ioThread}, SQL thread ${health.sqlThread}, behind source ${behind}, checked ${health.checkedAt})`,
  );
  for (const item of health.drift) out.line(`    drift ${item.code}: ${item.message} remedy: ${item.remedy}`);
  for (const item of health.recovery) out.line(`    recovery ${item.action}: ${item.outcome} ${item.detail}`);
  if (health.state !== "healthy") throw new DemoFailure(`the link is ${health.state} after re-validation`);
}

async function tearDown(ctx: DemoContext, id: string): Promise<void> {
  const { out } = ctx;
  const started = Date.now();
  const response = await call(ctx, "DELETE", `/api/replications/${id}`);
  if (response.status !== 202 && response.status !== 200) {
    throw new DemoFailure(
      `DELETE /api/replications/${id} answered ${response.status}: ${JSON.stringify(response.json)}`,
    );
  }
  out.line(`  DELETE /api/replications/${id} -> ${response.status}`);
  const final = await waitFor(ctx, `replication ${id} to be removed`, 60_000, async () => {
    const current = await view(ctx, id);
    const teardown = current.teardown?.runtimeStatus;
    if (current.state !== "removed" && teardown && !RUNNING_RUNTIME_STATES.has(teardown)) {
      throw new DemoFailure(`the teardown ended ${teardown} but the state is ${current.state}`);
    }
    return current.state === "removed" ? current : undefined;
  });
  const rules = ctx.stack.emulators.arm.server(ctx.stack.serverName)?.firewallRules() ?? [];
  out.line(
    `  state ${final.state} after ${seconds(started)}; firewall rules left on the replica: ${rules.length}`,
  );
}

/** Starts a rotation or cutover, waits for it, and returns its report; fails the demo unless it succeeded. */
async function runOperation(
  ctx: DemoContext,
  id: string,
  operation: "rotation" | "cutover",
  method: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const started = Date.now();
  const post = await call(ctx, method, path, body);
  if (post.status !== 202)
    throw new DemoFailure(`${method} ${path} answered ${post.status}: ${JSON.stringify(post.json)}`);
  ctx.out.line(`  ${method} ${path} -> 202`);
  const status = await waitFor(ctx, `the ${operation} to end`, 120_000, async () => {
    const current = await call(ctx, "GET", `/api/replications/${id}/operations/${operation}`);
    return current.status === 200 && !RUNNING_RUNTIME_STATES.has(String(current.json.runtimeStatus))
      ? current.json
      : undefined;
  });
  const report = (status.report ?? {}) as Record<string, unknown>;
  if (report.outcome !== "succeeded")
    throw new DemoFailure(
      `the ${operation} ended ${String(report.outcome)}: ${JSON.stringify(report.error)}`,
    );
  ctx.out.line(`  ${operation} succeeded in ${seconds(started)}`);
  for (const change of (report.changes ?? []) as string[]) ctx.out.line(`    ${change}`);
  for (const next of (report.nextSteps ?? []) as string[]) ctx.out.line(`    next: ${next}`);
  return report;
}

async function rotate(ctx: DemoContext, id: string): Promise<void> {
  const { stack } = ctx;
  const password = `Rotated-${Date.now().toString(36)}`;
  // The new password is set on the source first, keeping the old one valid until the link uses the new one.
  const connection = await stack.source.rootConnection();
  try {
    await connection.query("SET SESSION sql_log_bin = 0");
    await connection.query("ALTER USER ?@'%' IDENTIFIED BY ? RETAIN CURRENT PASSWORD", [
      stack.replicationUser,
      password,
    ]);
  } finally {
    await connection.end();
  }
  stack.secrets.rotatedReplicationPassword = password;
  stack.setBoundAppSetting(
    "REPLICATION_SECRET_ROTATED_REPL",
    password,
    "source-replication",
    stack.replicationUser,
  );
  await runOperation(ctx, id, "rotation", "PATCH", `/api/replications/${id}`, {
    replicationPassword: { appSetting: "REPLICATION_SECRET_ROTATED_REPL" },
  });
}

async function cutOver(ctx: DemoContext, id: string): Promise<void> {
  const { stack } = ctx;
  // The sample rows were seeded on each side with their own timestamps: aligned through replication first.
  await stack.source.rootQuery("UPDATE shop.orders SET created_at = '2020-01-01 00:00:00' WHERE id <= 3");
  await stack.source.rootQuery("SET GLOBAL super_read_only = ON");
  try {
    const report = await runOperation(ctx, id, "cutover", "POST", `/api/replications/${id}/cutover`, {
      checksumTables: ["shop.orders"],
    });
    const coordinates = report.coordinates as { file: string; position: number } | null;
    ctx.out.line(
      `    final coordinates ${coordinates ? `${coordinates.file}:${coordinates.position}` : "(GTID)"}`,
    );
  } finally {
    await stack.source.rootQuery("SET GLOBAL super_read_only = OFF");
  }
  const current = await view(ctx, id);
  if (current.state !== "cutOver") throw new DemoFailure(`after the cutover the state is ${current.state}`);
}

/**
 * A database only the source has, copied by the app at one snapshot and linked at its coordinates: one POST with
 * initialLoad instead of a hand-made dump. The inspection account gets what a consistent copy needs (the DBA's grant).
 */
async function seedWithInitialLoad(ctx: DemoContext): Promise<void> {
  const { out, stack } = ctx;
  await stack.source.rootQuery(
    "GRANT RELOAD, BACKUP_ADMIN, SHOW VIEW, TRIGGER, EVENT, SHOW_ROUTINE ON *.* TO ?@'%'",
    [stack.inspectionUser],
  );
  await stack.source.rootQuery("CREATE DATABASE catalog");
  await stack.source.rootQuery(
    "CREATE TABLE catalog.products (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, price DECIMAL(10,2) NOT NULL) ENGINE=InnoDB",
  );
  const rows = Array.from({ length: 2000 }, (_, i) => [i + 1, `product-${i + 1}`, ((i * 37) % 10_000) / 100]);
  await stack.source.rootQuery("INSERT INTO catalog.products (id, name, price) VALUES ?", [rows]);
  out.line(`  catalog.products: ${rows.length} rows on the source, no catalog database on the replica`);
  const id = await provision(ctx, {
    ...stack.exampleRequest(),
    initialLoad: { databases: ["catalog"], parallelism: 2 },
  });
  await stack.source.rootQuery(
    "INSERT INTO catalog.products (id, name, price) VALUES (2001, 'after-the-copy', 1.00)",
  );
  const sum = async (server: typeof stack.source) =>
    String((await server.rootQuery<{ Checksum: unknown }>("CHECKSUM TABLE catalog.products"))[0]?.Checksum);
  const equal = await waitFor(ctx, "catalog.products to be equal on both servers", 30_000, async () => {
    const [source, replica] = await Promise.all([sum(stack.source), sum(stack.replica).catch(() => "")]);
    return source === replica ? source : undefined;
  });
  out.line(
    `  copied and replicating: CHECKSUM TABLE catalog.products ${equal} on both, the row written after the copy included`,
  );
  await tearDown(ctx, id);
}

/** Returns normally when every step succeeded; throws DemoFailure (or the abort reason) otherwise. */
export async function runDemo(ctx: DemoContext): Promise<void> {
  const { out } = ctx;
  out.line("demo 1/7  provision the example through POST /api/replications, wait for replicating");
  const id = await provision(ctx);
  out.line("demo 2/7  write orders on the source, watch them arrive on the replica");
  await replicateRows(ctx);
  out.line("demo 3/7  re-validate the link");
  await revalidate(ctx, id);
  out.line("demo 4/7  rotate the replication password through PATCH, re-linked at the applied position");
  await rotate(ctx, id);
  out.line("demo 5/7  cut over: source read-only, replica caught up, checksums compared, link removed");
  await cutOver(ctx, id);
  out.line("demo 6/7  tear down through DELETE, wait for removed");
  await tearDown(ctx, id);
  out.line(
    "demo 7/7  seed an empty database on the replica with initialLoad: one POST, copied at one snapshot, linked there",
  );
  await seedWithInitialLoad(ctx);
  out.line("demo passed");
}
