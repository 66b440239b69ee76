// The one durable-functions version the local host's replay driver was read against and tested with; checked at start.
import { readFileSync } from "node:fs";

/**
 * The host drives the library's own replay engine through its wire format (action numbers, history events, schema
 * versions). Those are internals: another version could change them silently, so the package is pinned in
 * package.json and a mismatch stops the host with a clear message instead of replaying wrongly.
 */
export const SUPPORTED_DURABLE_FUNCTIONS_VERSION = "3.5.0";

export function assertSupportedDurableFunctions(
  installed: string = (
    JSON.parse(readFileSync(require.resolve("durable-functions/package.json"), "utf8")) as { version: string }
  ).version,
): void {
  if (installed !== SUPPORTED_DURABLE_FUNCTIONS_VERSION) {
    throw new Error(
      `The local durable host supports durable-functions ${SUPPORTED_DURABLE_FUNCTIONS_VERSION} exactly, found ${installed}: ` +
        "re-read the library's orchestrator wire format (dev/host/README.md) before changing the pin in package.json.",
    );
  }
}
