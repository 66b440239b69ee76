// `npm run sandbox`: the whole system on one machine; the outer run checks prerequisites and creates the CA, the inner run starts everything.
import { detectServerBinary } from "../mysql";
import { installHint } from "./installHint";
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
  try {
    const binary = await detectServerBinary();
    out.line("LOCAL SANDBOX: starting (Azure services are emulated on this machine)");
    out.progress("mysql", `${binary.flavor} ${binary.version} (${binary.path})`);
  } catch (error) {
    process.stderr.write(
      `sandbox: no MariaDB/MySQL server binary found (${error instanceof Error ? error.message : String(error)})\n` +
        `Install one, then run the sandbox again:\n\n  ${installHint()}\n\n` +
        "Only the binaries are used: the sandbox starts its own server processes, never the system service.\n",
    );
    return 1;
  }
  return await superviseSandbox(__filename, argv, startedAtMs);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
