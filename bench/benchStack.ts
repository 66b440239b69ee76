// Starts the local stack (CA from bench/run.ts, emulators, Azurite, source, replica) with the app's built function modules.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../dev/stack/localStack";
import { currentTestCa } from "../dev/tls/testCa";

/** dist/functions/*.js: what `func start` loads (package.json main). */
export function appFunctionModules(): string[] {
  const dir = join(__dirname, "..", "functions");
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".js"))
    .sort();
  if (names.length === 0) throw new Error(`no function modules in ${dir}: run npm run build first`);
  return names.map((name) => join(dir, name));
}

export async function startBenchStack(
  options: Partial<Omit<LocalStackOptions, "ca" | "functionModules">> = {},
): Promise<LocalStack> {
  return startLocalStack({
    ca: await currentTestCa(),
    functionModules: appFunctionModules(),
    // A quiet host: the benchmarks print figures, not the app's logs.
    log: () => undefined,
    ...options,
  });
}
