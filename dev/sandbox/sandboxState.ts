// The sandbox's state file: where everything runs and the secrets it generated, for a person or a check to read.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type ExampleRequest } from "../stack/localStack";

export interface SandboxState {
  status: "running" | "stopped";
  startedAt: string;
  stoppedAt?: string;
  /** e.g. http://127.0.0.1:7071/api */
  apiBaseUrl: string;
  /** The id a POST of exampleRequest gets (derived from the replica, so known in advance). */
  exampleReplicationId: string;
  exampleRequest: ExampleRequest;
  exampleRequestFile: string;
  source: {
    host: string;
    port: number;
    flavor: string;
    version: string;
    adminUri: string;
    replicationUser: string;
    inspectionUser: string;
  };
  replica: {
    kind: string;
    tier: string;
    serverName: string;
    fqdn: string;
    host: string;
    port: number;
    adminUri: string;
    /** The replica refuses connections without TLS, like Azure; verify against caCertificateFile. */
    tls: "required";
    /** The login the app uses, as Azure names it (user@server). */
    azureAdminUser: string;
  };
  armEndpoint: string;
  keyVaultUrl: string;
  entraAuthorityHost: string;
  tableEndpoint: string;
  caCertificateFile: string;
  /** Pids of every process the sandbox started; all are gone once status is "stopped". */
  processes: { supervisor: number; sandbox: number; source?: number; replica?: number; azurite: number };
  /** The supervisor's temporary directory (the run's CA); removed at the end. */
  tempDir: string;
  /** Every secret value the sandbox generated. */
  secrets: Record<string, string>;
}

/** Owner-only: the file holds passwords. */
export async function writeSandboxState(file: string, state: SandboxState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file; an older state file may have been readable by others.
  await chmod(file, 0o600);
}
