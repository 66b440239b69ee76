// The sandbox's inner process: starts the local stack with the app, serves its HTTP API, writes the state file, runs the demo or waits for Ctrl-C.
import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { linkIdFor } from "../../shared/workflow/provisionTypes";
import { startLocalStack, type LocalStack } from "../stack/localStack";
import { currentTestCa } from "../tls/testCa";
import { startWebhookReceiver, type WebhookReceiver } from "./webhookReceiver";
import { createSandboxAdmin } from "./createSandboxAdmin";
import { DemoFailure, runDemo } from "./runDemo";
import { type SandboxOptions } from "./sandboxOptions";
import { SandboxOutput } from "./sandboxOutput";
import { writeSandboxState, type SandboxState } from "./sandboxState";
import { SANDBOX_CHILD_MARKER, SANDBOX_TEMP_DIR } from "./superviseSandbox";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
// The app's default REVALIDATION_SCHEDULE, every 15 minutes; the local host has no timer scheduler of its own.
const REVALIDATION_TIMER_INTERVAL_MS = 15 * 60_000;
// The app's default HEALTH_PROBE_SCHEDULE, every minute.
const PROBE_TIMER_INTERVAL_MS = 60_000;

/**
 * The modules `func start` loads (package.json main: dist/functions/*.js). Run from source (tsx), this file is .ts
 * and so are the modules next to it: the same directory layout, one extension.
 */
async function appFunctionModules(): Promise<string[]> {
  const extension = extname(__filename);
  const dir = join(__dirname, "..", "..", "functions");
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.endsWith(extension) && !name.endsWith(`.d${extension}`))
    .sort();
  if (names.length === 0)
    throw new Error(`no function modules (*${extension}) in ${dir}: run npm run build first`);
  return names.map((name) => join(dir, name));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs until the demo ends or a stop signal arrives; returns the exit code. */
export async function runSandbox(options: SandboxOptions): Promise<number> {
  const out = new SandboxOutput(Number(process.env[SANDBOX_CHILD_MARKER]) || Date.now());
  const stop = new AbortController();
  const onStop = (reason: string) => (): void => {
    // A terminal's Ctrl-C arrives twice (directly and forwarded by the supervisor): the first one counts.
    if (stop.signal.aborted) return;
    out.line(`\n${reason}: stopping the sandbox`);
    stop.abort(new Error(`interrupted (${reason})`));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onStop(signal));
  let supervisorGone = false;
  process.on("disconnect", () => {
    supervisorGone = true;
    onStop("the supervising process ended")();
  });
  // The lifeline must not by itself keep this process alive.
  process.channel?.unref();

  const stateDir = dirname(options.stateFile);
  const caCopy = join(stateDir, "ca.crt");
  const exampleFile = join(stateDir, "example-request.json");
  let stack: LocalStack | undefined;
  let state: SandboxState | undefined;
  let timer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let receiver: WebhookReceiver | undefined;
  let exitCode = 0;
  try {
    // Before anything starts: an unwritable state directory should fail in a second, not after the stack is up.
    await mkdir(stateDir, { recursive: true });
    const ca = await currentTestCa();
    const functionModules = await appFunctionModules();
    // A local receiver for the alert webhook: each transition the probe records arrives here, signed, and is printed.
    receiver = await startWebhookReceiver(ca, (line) => out.line(line));
    stack = await startLocalStack({
      ca,
      functionModules,
      appSettings: receiver.appSettings,
      replicaTier: options.replicaTier,
      replicaKind: options.replicaKind,
      // The parent already found and reported the server binary.
      progress: (component, detail) => {
        if (component !== "mysql") out.progress(component, detail);
      },
    });
    out.addSecrets([...Object.values(stack.secrets), ...Object.values(receiver.appSettings)]);
    stop.signal.throwIfAborted();

    let origin: string;
    try {
      origin = await stack.host.listen(options.port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
        throw new Error(
          `port ${options.port} is in use: stop what listens there or pass --port N (0 picks a free port)`,
        );
      throw error;
    }
    const apiBaseUrl = `${origin}/api`;
    out.progress("api", `listening on ${apiBaseUrl}`);

    const [sourceAdmin, replicaAdmin] = await Promise.all([
      createSandboxAdmin(stack.source),
      createSandboxAdmin(stack.replica),
    ]);
    const secrets = {
      ...stack.secrets,
      sourceSandboxAdminPassword: sourceAdmin.password,
      replicaSandboxAdminPassword: replicaAdmin.password,
    };
    out.addSecrets(Object.values(secrets));

    const exampleRequest = stack.exampleRequest();
    const exampleId = linkIdFor(exampleRequest.replica);
    await copyFile(ca.caCertFile, caCopy);
    await writeFile(exampleFile, `${JSON.stringify(exampleRequest, null, 2)}\n`);
    state = {
      status: "running",
      startedAt: new Date().toISOString(),
      apiBaseUrl,
      exampleReplicationId: exampleId,
      exampleRequest,
      exampleRequestFile: exampleFile,
      source: {
        host: stack.source.host,
        port: stack.source.port,
        flavor: stack.source.flavor,
        version: stack.source.version,
        adminUri: sourceAdmin.uri,
        replicationUser: stack.replicationUser,
        inspectionUser: stack.inspectionUser,
      },
      replica: {
        kind: options.replicaKind,
        tier: options.replicaTier,
        serverName: stack.serverName,
        fqdn: stack.replicaFqdn,
        host: stack.replica.host,
        port: stack.replica.port,
        adminUri: replicaAdmin.uri,
        tls: "required",
        azureAdminUser: `${stack.adminUser}@${stack.serverName}`,
      },
      armEndpoint: stack.emulators.arm.endpoint,
      keyVaultUrl: stack.emulators.keyVault.vaultUrl,
      entraAuthorityHost: stack.emulators.entra.authorityHost,
      tableEndpoint: stack.azurite.tableEndpoint,
      caCertificateFile: caCopy,
      processes: {
        supervisor: process.ppid,
        sandbox: process.pid,
        ...(stack.source.pid ? { source: stack.source.pid } : {}),
        ...(stack.replica.pid ? { replica: stack.replica.pid } : {}),
        azurite: stack.azurite.pid,
      },
      tempDir: process.env[SANDBOX_TEMP_DIR] ?? ca.dir,
      secrets,
    };
    await writeSandboxState(options.stateFile, state);

    out.line();
    out.box(`ready in ${out.elapsedSeconds()} s`, [
      "LOCAL SANDBOX: Entra ID, Resource Manager, Key Vault and Table storage are emulated on this",
      "machine and the replica is a local Oracle MySQL process. Production runs on Azure Functions.",
      "",
      `API         ${apiBaseUrl}`,
      `dashboard   ${apiBaseUrl}/dashboard   (health probe every minute; alerts to ${receiver.url})`,
      `replica     ${stack.serverName} (${options.replicaKind === "flexible" ? "Flexible Server" : "Single Server"}, ${options.replicaTier})`,
      `state file  ${options.stateFile}`,
      "            (admin URIs, endpoints and every generated secret)",
    ]);
    out.line("Provision the example, then watch it:");
    out.line(
      `  curl -sS -X POST ${apiBaseUrl}/replications -H 'Content-Type: application/json' -d @${exampleFile}`,
    );
    out.line(`  curl -sS ${apiBaseUrl}/replications/${exampleId}`);
    out.line(`  curl -sS -X POST ${apiBaseUrl}/replications/${exampleId}/revalidate`);
    out.line(`  curl -sS -X DELETE ${apiBaseUrl}/replications/${exampleId}`);
    out.line();

    if (options.demo) {
      await runDemo({ origin, stack, out, signal: stop.signal });
    } else {
      const host = stack.host;
      // Stands in for the Functions host's timer scheduler at the app's default schedule.
      timer = setInterval(() => {
        host
          .fireTimer("revalidationTimer")
          .catch((error: unknown) => out.error(`re-validation timer: ${message(error)}`));
      }, REVALIDATION_TIMER_INTERVAL_MS);
      probeTimer = setInterval(() => {
        host
          .fireTimer("healthProbeTimer")
          .catch((error: unknown) => out.error(`health probe timer: ${message(error)}`));
      }, PROBE_TIMER_INTERVAL_MS);
      out.line("Running. Ctrl-C stops every process and removes the temporary files.");
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        else stop.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  } catch (error) {
    if (stop.signal.aborted) {
      exitCode = 130;
    } else {
      exitCode = 1;
      out.error(
        error instanceof DemoFailure ? `demo failed: ${error.message}` : `sandbox failed: ${message(error)}`,
      );
    }
  } finally {
    if (timer) clearInterval(timer);
    if (probeTimer) clearInterval(probeTimer);
    const stopping = Date.now();
    // Without a stack, startLocalStack failed and has already stopped whatever it had started.
    await stack?.stop();
    await receiver?.close();
    out.progress("stop", `every process stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    // The copied CA is this run's only and dies with it; the state file stays, marked stopped.
    await rm(caCopy, { force: true });
    // The supervisor removes its temporary directory itself, unless it died first (SIGKILL).
    const tempDir = process.env[SANDBOX_TEMP_DIR];
    if (supervisorGone && tempDir) await rm(tempDir, { recursive: true, force: true });
    if (state) {
      await writeSandboxState(options.stateFile, {
        ...state,
        status: "stopped",
        stoppedAt: new Date().toISOString(),
      }).catch((error: unknown) => out.error(`could not update ${options.stateFile}: ${message(error)}`));
    }
  }
  return exitCode;
}
