// The app's one Azure credential: managed identity on Azure, a service principal or emulator locally; created on first use.
import type { TokenCredential } from "@azure/core-auth";
import { type AppConfig } from "../config/appConfig";

let credential: TokenCredential | undefined;

/**
 * DefaultAzureCredential, with instance discovery turned off only when a custom authority host is configured:
 * MSAL otherwise asks the public cloud's discovery endpoint about the authority, which sovereign clouds and
 * local emulators cannot answer.
 */
export function azureCredential(
  config: Pick<AppConfig, "AZURE_AUTHORITY_HOST" | "AZURE_CLIENT_ID">,
): TokenCredential {
  if (!credential) {
    // Loaded here, not at module load: the identity stack is heavy and only activities need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
    const customAuthority = config.AZURE_AUTHORITY_HOST !== undefined;
    credential = new DefaultAzureCredential({
      ...(config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {}),
      ...(customAuthority
        ? { authorityHost: config.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true }
        : {}),
    });
  }
  return credential;
}

export function resetAzureCredentialForTests(): void {
  credential = undefined;
}
