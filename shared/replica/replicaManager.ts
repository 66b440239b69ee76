// What the workflow needs from Resource Manager about a replica server, whatever its kind.
export type ReplicaKind = "single" | "flexible";

export interface ReplicaTarget {
  kind: ReplicaKind;
  subscriptionId: string;
  resourceGroup: string;
  serverName: string;
}

export interface ReplicaServerInfo {
  kind: ReplicaKind;
  name: string;
  fqdn: string;
  /** As Resource Manager reports it, e.g. "5.7", "8.0", "8.0.21". */
  version: string;
  tier: string;
  skuName: string;
  /** userVisibleState (Single) or state (Flexible). */
  state: string;
  sslEnforcement: string | null;
  publicNetworkAccess: string | null;
  /**
   * Flexible Server with VNet integration (private access): the delegated subnet. ARM reports publicNetworkAccess
   * Disabled both for such a server (supported by data-in replication) and for one with a private endpoint and public
   * access disabled (unsupported); this field tells them apart. null for Single Server and public-access servers.
   */
  delegatedSubnetResourceId: string | null;
  highAvailabilityMode: string | null;
  administratorLogin: string | null;
}

/** A server parameter as Resource Manager reports it (the configurations API of either kind). */
export interface ServerParameterInfo {
  name: string;
  value: string;
  defaultValue: string;
  /** Flexible Server reports it; Single Server does not (false then). */
  isReadOnly: boolean;
}

export interface FirewallRuleInfo {
  name: string;
  startIpAddress: string;
  endIpAddress: string;
}

/**
 * Which firewall has to let replication through. Single Server: a rule on the replica admits the source, and this app
 * creates it. Flexible Server: the replica connects out, so the source's own firewall must admit the replica's
 * outbound address; this app cannot change that firewall, it can only name the address and diagnose a refusal.
 */
export type FirewallDirection = "replicaAdmitsSource" | "sourceAdmitsReplica";

export interface ReplicaManager {
  readonly firewallDirection: FirewallDirection;
  /** null when the server does not exist. */
  getServer(): Promise<ReplicaServerInfo | null>;
  /** Only meaningful when firewallDirection is replicaAdmitsSource. */
  getFirewallRule(ruleName: string): Promise<FirewallRuleInfo | null>;
  /** Create or update; completes when the long-running operation has succeeded. */
  putFirewallRule(ruleName: string, ipv4: string): Promise<void>;
  /** Deleting a rule that is already gone succeeds. */
  deleteFirewallRule(ruleName: string): Promise<void>;
  /** null when the server has no such parameter. */
  getServerParameter(name: string): Promise<ServerParameterInfo | null>;
  /** Sets a server parameter (a long-running operation); completes when it has succeeded. */
  setServerParameter(name: string, value: string): Promise<void>;
  /** The login the replica expects for the admin account (Single Server wants user@server, Flexible the plain user). */
  adminLogin(adminUser: string): string;
  /**
   * Flexible Server only: sets the server's GTID state to `gtidSet` (ARM action resetGtid, `az mysql flexible-server gtid
   * reset`); completes when the long-running operation has succeeded. It invalidates the server's existing backups.
   */
  resetGtid?(gtidSet: string): Promise<void>;
}

/** An error from Resource Manager, reduced to what the workflow decides on. */
export interface ArmFailure {
  statusCode: number | undefined;
  code: string;
  message: string;
  /** A long-running operation that ARM accepted and then reported Failed (its error code in `code`, when given). */
  operationFailed: boolean;
}

/**
 * @azure/core-lro (2.x) reports an operation whose Azure-AsyncOperation status is Failed as a plain Error, not a
 * RestError: "The long-running operation has failed. <code>. <message>" (poller/operation.js, processOperationStatus).
 */
const LRO_FAILED = /^The long-running operation has failed(?:\. ([A-Za-z0-9_.]+)\. )?/;

export function toArmFailure(error: unknown): ArmFailure {
  const value = error as { statusCode?: number; code?: string; message?: string; name?: string };
  const message = typeof value?.message === "string" ? value.message : String(error);
  const lro = typeof value?.code === "string" ? null : LRO_FAILED.exec(message);
  return {
    statusCode: typeof value?.statusCode === "number" ? value.statusCode : undefined,
    code:
      typeof value?.code === "string"
        ? value.code
        : (lro?.[1] ?? (lro ? "OperationFailed" : (value?.name ?? "Error"))),
    message,
    operationFailed: lro !== null,
  };
}

/** Codes of a failed operation that say "try again later"; any other code is the request's own fault. */
const TRANSIENT_OPERATION_CODES = new Set([
  "InternalServerError",
  "InternalError",
  "ServiceUnavailable",
  "ServerBusy",
  "TooManyRequests",
  "RequestTimeout",
  "GatewayTimeout",
  "OperationTimedOut",
  "OperationPreempted",
  "AnotherOperationInProgress",
  "Conflict",
]);

/**
 * Throttling, server errors and network failures are worth a retry; 4xx other than 408/429 are not. A failed
 * long-running operation is judged by its Azure error code; one without a code cannot be judged and is retried.
 */
export function isTransientArmError(error: unknown): boolean {
  const { statusCode, code, operationFailed } = toArmFailure(error);
  if (operationFailed) return code === "OperationFailed" || TRANSIENT_OPERATION_CODES.has(code);
  if (statusCode === undefined)
    return code !== "AuthenticationError" && code !== "CredentialUnavailableError";
  return statusCode === 408 || statusCode === 429 || statusCode >= 500;
}

export function isNotFound(error: unknown): boolean {
  return toArmFailure(error).statusCode === 404;
}
