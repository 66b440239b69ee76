// The sandbox's command line: flags, defaults, validation that names every bad flag at once, and the --help text.
import { resolve } from "node:path";
import { type ReplicaTier } from "../stack/localStack";

const REPLICA_TIERS: readonly ReplicaTier[] = ["Basic", "Burstable", "GeneralPurpose", "MemoryOptimized"];
const REPLICA_KINDS = ["single", "flexible"] as const;
type SandboxReplicaKind = (typeof REPLICA_KINDS)[number];
/** Tiers each kind has: Basic is Single Server's, Burstable Flexible Server's. */
const TIERS_OF_KIND: Record<SandboxReplicaKind, readonly ReplicaTier[]> = {
  single: ["Basic", "GeneralPurpose", "MemoryOptimized"],
  flexible: ["Burstable", "GeneralPurpose", "MemoryOptimized"],
};

const DEFAULT_PORT = 7071;
const DEFAULT_STATE_FILE = ".sandbox/state.json";

export interface SandboxOptions {
  /** 0 picks a free port. */
  port: number;
  /** Absolute path. */
  stateFile: string;
  replicaTier: ReplicaTier;
  replicaKind: SandboxReplicaKind;
  demo: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run sandbox -- [options]

Starts the whole system on this machine (no Azure account): a MySQL source, an Azure-like MySQL replica,
emulators of Entra ID / Resource Manager / Key Vault, Azurite, and the app's HTTP API on the local host.

Options:
  --port N               port of the HTTP API (default ${DEFAULT_PORT}; 0 picks a free port)
  --state-file PATH      where to write the connection details and secrets (default ${DEFAULT_STATE_FILE})
  --replica-tier TIER    ${REPLICA_TIERS.join(" | ")} (default GeneralPurpose)
  --replica-kind KIND    ${REPLICA_KINDS.join(" | ")} (default single)
  --demo                 provision the example, replicate rows, re-validate, tear down, then exit
  -h, --help             show this text
`;

/** A command line the sandbox cannot run with; the message names every offending flag. */
export class SandboxUsageError extends Error {
  override readonly name = "SandboxUsageError";
}

type ValueFlag = "--port" | "--state-file" | "--replica-tier" | "--replica-kind";
const VALUE_FLAGS: readonly ValueFlag[] = ["--port", "--state-file", "--replica-tier", "--replica-kind"];

/** Parses `--flag value` and `--flag=value`; relative paths are resolved against `cwd`. */
export function parseSandboxOptions(argv: readonly string[], cwd = process.cwd()): SandboxOptions {
  const problems: string[] = [];
  const values = new Map<ValueFlag, string>();
  let demo = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === "-h" || name === "--help") {
      help = true;
    } else if (name === "--demo") {
      if (inline !== undefined) problems.push("--demo takes no value");
      demo = true;
    } else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const flag = name as ValueFlag;
      let value = inline;
      if (value === undefined) {
        const next = argv[i + 1];
        // A following flag is not a value: `--port --demo` is a missing port, not a port named "--demo".
        if (next !== undefined && !next.startsWith("--")) {
          value = next;
          i++;
        }
      }
      if (value === undefined || value === "") problems.push(`${flag} needs a value`);
      else values.set(flag, value);
    } else {
      problems.push(`unknown option ${JSON.stringify(arg)}`);
    }
  }

  let port = DEFAULT_PORT;
  const portText = values.get("--port");
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535)
      problems.push(`--port must be a whole number from 0 to 65535, not ${JSON.stringify(portText)}`);
  }
  const tier = values.get("--replica-tier") ?? "GeneralPurpose";
  if (!(REPLICA_TIERS as readonly string[]).includes(tier))
    problems.push(`--replica-tier must be one of ${REPLICA_TIERS.join(", ")}, not ${JSON.stringify(tier)}`);
  const kind = values.get("--replica-kind") ?? "single";
  if (!(REPLICA_KINDS as readonly string[]).includes(kind)) {
    problems.push(`--replica-kind must be ${REPLICA_KINDS.join(" or ")}, not ${JSON.stringify(kind)}`);
  } else if (
    (REPLICA_TIERS as readonly string[]).includes(tier) &&
    !TIERS_OF_KIND[kind as SandboxReplicaKind].includes(tier as ReplicaTier)
  ) {
    problems.push(
      `--replica-tier ${tier} does not exist for --replica-kind ${kind} (${TIERS_OF_KIND[kind as SandboxReplicaKind].join(", ")})`,
    );
  }

  if (problems.length > 0 && !help) throw new SandboxUsageError(problems.join("\n"));
  return {
    port,
    stateFile: resolve(cwd, values.get("--state-file") ?? DEFAULT_STATE_FILE),
    replicaTier: tier as ReplicaTier,
    replicaKind: kind as SandboxReplicaKind,
    demo,
    help,
  };
}
