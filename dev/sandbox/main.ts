// `npm run sandbox`: the whole system on one machine; the outer run checks prerequisites and creates the CA, the inner run starts everything.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { detectServerBinary, installInstructions, repositoryRoot, type ServerBinary } from "../mysql";
import { runSandbox } from "./runSandbox";
import { SandboxOutput } from "./sandboxOutput";
import { parseSandboxOptions, SandboxUsageError, USAGE, type SandboxOptions } from "./sandboxOptions";
import { SANDBOX_CHILD_MARKER, superviseSandbox } from "./superviseSandbox";

async function main(argv: readonly string[]): Promise<number> {
  const startedAtMs = Date.now();
  let options: SandboxOptions;
  try {
    options = parseSandboxOptions(argv);
  } catch (error) {
    if (!(error instanceof SandboxUsageError)) throw error;
    process.stderr.write(`sandbox: ${error.message.split("\n").join("\nsandbox: ")}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.env[SANDBOX_CHILD_MARKER]) return await runSandbox(options);

  const out = new SandboxOutput(startedAtMs);
  const binary = await findOrFetchMysql(out);
  if (!binary) return 1;
  out.line("LOCAL SANDBOX: starting (Azure services are emulated on this machine)");
  out.progress("mysql", `${binary.flavor} ${binary.version} (${binary.path})`);
  return await superviseSandbox(__filename, argv, startedAtMs);
}

/**
 * Oracle MySQL, as every Azure server runs. When none is found on a Debian-family machine, fetches it first with the
 * project's own script (`npm run mysql:install`, with its progress); elsewhere says how to get one.
 */
async function findOrFetchMysql(out: SandboxOutput): Promise<ServerBinary | undefined> {
  const script = join(repositoryRoot(), "dev", "scripts", "install-mysql.sh");
  try {
    return await detectServerBinary();
  } catch (error) {
    if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get") || !existsSync(script)) {
      process.stderr.write(
        `sandbox: ${error instanceof Error ? error.message : String(error)}\n\n${installInstructions("mysql")}\n` +
          "Only the binaries are used: the sandbox starts its own server processes, never a system service.\n",
      );
      return undefined;
    }
  }
  out.progress("mysql", "no Oracle MySQL found: fetching it first (npm run mysql:install)");
  const fetched = spawnSync("bash", [script], { stdio: "inherit" });
  if (fetched.status !== 0) {
    process.stderr.write(`sandbox: fetching MySQL failed; ${installInstructions("mysql")}\n`);
    return undefined;
  }
  try {
    return await detectServerBinary();
  } catch (error) {
    process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
