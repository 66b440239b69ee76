// Where a stored secret may go: its binding names one role and one destination, and the request must match both.

/** What a password is used for; a secret bound to one role is never released for another. */
export type SecretRole =
  "source-replication" | "source-inspection" | "heartbeat-writer" | "replica-admin" | "alert-webhook";

/** What one resolution is for: the request field it came from, the role, and the canonical destination. */
export interface SecretPurpose {
  field: string;
  role: SecretRole;
  destination: string;
}

/** Key Vault tags carrying the binding (the SDK returns them with the value, in one read). */
export const ROLE_TAG = "replication-role";
export const DESTINATION_TAG = "replication-destination";

/** An app setting's binding lives in a companion setting: `<NAME>__BINDING` = `{"role": ..., "destination": ...}`. */
export function bindingSettingName(appSetting: string): string {
  return `${appSetting}__BINDING`;
}

function canonicalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, "");
}

/** `mysql://<user>@<host>:<port>`, the user percent-encoded: a source password goes to this login only. */
export function sourceDestination(host: string, port: number, user: string): string {
  return `mysql://${encodeURIComponent(user)}@${canonicalHost(host)}:${port}`;
}

/** The replica server's ARM resource id: the admin password goes to the server ARM names for it, only. */
export function replicaDestination(replica: {
  kind: "single" | "flexible";
  subscriptionId: string;
  resourceGroup: string;
  serverName: string;
}): string {
  const type = replica.kind === "single" ? "servers" : "flexibleServers";
  return `/subscriptions/${replica.subscriptionId}/resourceGroups/${replica.resourceGroup}/providers/Microsoft.DBforMySQL/${type}/${replica.serverName}`;
}

const SOURCE_DESTINATION = /^mysql:\/\/([^@/?#]+)@([^:/?#@]+)(?::(\d{1,5}))?\/?$/i;

/** The comparable form of a destination text, or null when it is not one. Ports default to 3306. */
function comparable(destination: string, role: SecretRole): string | null {
  const text = destination.trim();
  if (role === "alert-webhook") return webhookDestination(text);
  if (role === "replica-admin") {
    // ARM resource ids compare case-insensitively.
    return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DBforMySQL\/(servers|flexibleServers)\/[^/]+\/?$/i.test(
      text,
    )
      ? text.replace(/\/$/, "").toLowerCase()
      : null;
  }
  const match = SOURCE_DESTINATION.exec(text);
  if (!match?.[1] || !match[2]) return null;
  let user: string;
  try {
    user = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  const port = match[3] === undefined ? 3306 : Number(match[3]);
  // User names are compared exactly (MySQL's are case-sensitive), host names case-insensitively.
  return sourceDestination(canonicalHost(match[2]), port, user);
}

/** True only when the stored binding names exactly this role and destination. */
export function bindingAllows(
  binding: { role?: unknown; destination?: unknown } | undefined,
  purpose: SecretPurpose,
): boolean {
  if (!binding || binding.role !== purpose.role || typeof binding.destination !== "string") return false;
  const stored = comparable(binding.destination, purpose.role);
  const wanted = comparable(purpose.destination, purpose.role);
  return stored !== null && stored === wanted;
}

/** Parses the `<NAME>__BINDING` app setting; anything malformed binds nothing. */
export function parseBindingSetting(
  value: string | undefined,
): { role?: unknown; destination?: unknown } | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** How to bind a secret for this purpose: the remedy of every refusal. */
export function bindingHelp(purpose: SecretPurpose): string {
  return (
    `Bind the secret to this destination. Key Vault: tag the secret ${ROLE_TAG}=${purpose.role} and ` +
    `${DESTINATION_TAG}=${purpose.destination} (az keyvault secret set-attributes --id <secret id> --tags ` +
    `${ROLE_TAG}=${purpose.role} ${DESTINATION_TAG}=${purpose.destination}). App setting <NAME>: set ` +
    `<NAME>__BINDING to {"role":"${purpose.role}","destination":"${purpose.destination}"}.`
  );
}

/** The replica admin password's purpose for a request or a registered link. */
export function replicaAdminPurpose(replica: Parameters<typeof replicaDestination>[0]): SecretPurpose {
  return { field: "replica.adminPassword", role: "replica-admin", destination: replicaDestination(replica) };
}

/** An https URL without query or fragment, host lower-cased: the webhook's HMAC key signs deliveries to it only. */
function webhookDestination(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== "https:" || parsed.username || parsed.password) return null;
    return `https://${canonicalHost(parsed.hostname)}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** The alert webhook's signing key: released for deliveries to exactly this URL. */
export function alertWebhookPurpose(url: string): SecretPurpose {
  return {
    field: "ALERT_WEBHOOK_SECRET",
    role: "alert-webhook",
    destination: webhookDestination(url) ?? url,
  };
}

/** A source password's purpose: this role, this login on this host and port. */
export function sourcePurpose(
  field: string,
  role: Exclude<SecretRole, "replica-admin" | "alert-webhook">,
  source: { host: string; port: number },
  user: string,
): SecretPurpose {
  return { field, role, destination: sourceDestination(source.host, source.port, user) };
}
