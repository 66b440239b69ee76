// Test helper: starts the emulators once per test file and builds the credential exactly as the app does against them.
import { DefaultAzureCredential } from "@azure/identity";
import { currentTestCa } from "../../../dev/tls/testCa";
import { startEmulators, type Emulators } from "../../../dev/emulators/startEmulators";

export interface EmulatorEnv {
  emulators: Emulators;
  credential: DefaultAzureCredential;
  startMs: number;
  restore(): Promise<void>;
}

export async function setUpEmulators(): Promise<EmulatorEnv> {
  const ca = await currentTestCa();
  const started = performance.now();
  const emulators = await startEmulators({ ca });
  const startMs = performance.now() - started;
  const saved = { ...process.env };
  Object.assign(process.env, emulators.env());
  // The app's shared/azure/azureCredential.ts does the same when AZURE_AUTHORITY_HOST is set.
  const credential = new DefaultAzureCredential({
    authorityHost: emulators.entra.authorityHost,
    disableInstanceDiscovery: true,
  });
  return {
    emulators,
    credential,
    startMs,
    restore: async () => {
      process.env = saved;
      await emulators.stop();
    },
  };
}

/** Decodes a JWT's payload without verifying it: tests look at what the client received. */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}
