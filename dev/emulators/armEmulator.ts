// Emulated Azure Resource Manager for Microsoft.DBforMySQL (servers + flexibleServers): reads, firewall rules and parameters as LROs, auth, faults.
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { EmulatedServer, type LroBehavior, type ServerKind, type ServerSpec } from "./emulatedServer";
import { FaultInjector, defaultErrorBody } from "./faultInjector";
import { delay, readBody, sendJson } from "./httpJson";
import { startHttpsServer, type RunningHttpsServer, type TlsMaterial } from "./httpsServer";
import { RequestLog, type LoggedRequest } from "./requestLog";
import { invalidParameterValue } from "./serverParameters";
import { type TokenSigner } from "./tokenSigner";

/** What @azure/arm-mysql 5.1 sends (its `apiVersion` parameter), plus the other versions ARM registers for `servers`. */
const SINGLE_SERVER_API_VERSIONS = [
  "2017-12-01",
  "2017-12-01-preview",
  "2020-01-01",
  "2020-01-01-privatepreview",
];
/**
 * Every api-version of Microsoft.DBforMySQL/flexibleServers in azure-rest-api-specs
 * (specification/mysql/resource-manager/Microsoft.DBforMySQL/FlexibleServers: stable/ and preview/ folders and the
 * readme's tags), through 2024-12-30. @azure/arm-mysql-flexible 3.1 sends 2021-05-01.
 */
const FLEXIBLE_SERVER_API_VERSIONS = [
  "2020-07-01-preview",
  "2020-07-01-privatepreview",
  "2021-05-01-preview",
  "2021-05-01",
  "2021-12-01-preview",
  "2021-12-01",
  "2022-01-01",
  "2022-09-01",
  "2022-09-30-preview",
  "2023-06-01-preview",
  "2023-06-30",
  "2023-10-01-preview",
  "2023-12-01-preview",
  "2023-12-30",
  "2024-02-01-preview",
  "2024-06-01-preview",
  "2024-10-01-preview",
  "2024-12-01-preview",
  "2024-12-30",
];

/**
 * gtid_mode moves one step at a time, upwards only (Azure docs, "Read replicas", GTID section: "You can change GTIDs
 * from one value to another only one step at a time in ascending order of modes ... After GTID is enabled, you can't
 * turn it back off"). Azure's exact error code for a refused step is not documented; InvalidParameterValue, the code
 * ARM uses for other refused parameter values, is the closest documented one.
 */
const GTID_MODE_STEPS = ["OFF", "OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"];

function refusedGtidModeStep(current: string, wanted: string): string | undefined {
  const from = GTID_MODE_STEPS.indexOf(current.toUpperCase());
  const to = GTID_MODE_STEPS.indexOf(wanted.toUpperCase());
  if (from < 0 || to < 0 || to === from || to === from + 1) return undefined;
  const next = GTID_MODE_STEPS[from + 1];
  return to < from
    ? `gtid_mode cannot go back from ${current} to ${wanted}: once raised it cannot be lowered again (contact support to turn GTIDs off).`
    : `gtid_mode can only be changed one step at a time in ascending order (OFF, OFF_PERMISSIVE, ON_PERMISSIVE, ON): from ${current} the next value is ${next ?? "none"}, not ${wanted}.`;
}

export interface ArmEmulatorOptions {
  tls: TlsMaterial;
  signer: TokenSigner;
  tenantId: string;
  /** The Entra emulator's origin, named in the 401 challenge and tenant errors. */
  authorityHost: string;
  now?: () => number;
}

interface ErrorBody {
  error: { code: string; message: string };
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

interface PendingOperation {
  id: string;
  pollsLeft: number;
  outcome: "Succeeded" | "Failed";
  error: { code: string; message: string };
  retryAfterSeconds: number | undefined;
  /** The operationResults URL, repeated in the Location header while the operation runs. */
  locationUrl: string;
  startTime: string;
  endTime?: string;
  finished: boolean;
  /** Applies the change; runs once, when the operation reports Succeeded. */
  apply: () => void | Promise<void>;
  /** The resource body operationResults returns on success; undefined for DELETE (204). */
  result: () => unknown;
}

const NAME_SEGMENT = "([^/]+)";
const SERVER_PATH = new RegExp(
  `^/subscriptions/${NAME_SEGMENT}/resourceGroups/${NAME_SEGMENT}/providers/Microsoft\\.DBforMySQL/(servers|flexibleServers)/${NAME_SEGMENT}(?:/(firewallRules|configurations|resetGtid)(?:/${NAME_SEGMENT})?)?/?$`,
  "i",
);
const OPERATION_PATH = new RegExp(
  `^/subscriptions/${NAME_SEGMENT}/providers/Microsoft\\.DBforMySQL/locations/${NAME_SEGMENT}/(azureAsyncOperation|operationResults)/${NAME_SEGMENT}/?$`,
  "i",
);
/** The first api-version with the resetGtid action (azure-rest-api-specs examples; stable from 2023-12-30). */
const RESET_GTID_FIRST_API_VERSION = "2023-06-01-preview";
/** A MySQL GTID set: uuid:interval[:interval...][,uuid:...]; tags (uuid:tag:n) allowed as MySQL 8.3+ writes them. */
const GTID_SET =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:([a-z_][a-z0-9_]{0,31}|\d+(-\d+)?))+(,[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:([a-z_][a-z0-9_]{0,31}|\d+(-\d+)?))+)*$/i;
const API_VERSION_FORMAT = /^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const RULE_NAME = /^[-\w.]{1,128}$/;

function armError(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export class ArmEmulator {
  readonly faults = new FaultInjector();
  private readonly log = new RequestLog();
  private readonly serversByKey = new Map<string, EmulatedServer>();
  private readonly subscriptions = new Set<string>();
  private readonly operations = new Map<string, PendingOperation>();
  private readonly now: () => number;
  private listener: RunningHttpsServer | undefined;

  private constructor(private readonly options: ArmEmulatorOptions) {
    this.now = options.now ?? Date.now;
  }

  static async start(options: ArmEmulatorOptions): Promise<ArmEmulator> {
    const emulator = new ArmEmulator(options);
    emulator.listener = await startHttpsServer(options.tls, (req, res, url) =>
      emulator.handle(req, res, url),
    );
    return emulator;
  }

  /** The `endpoint` for the management clients; their token scope is `${endpoint}/.default`. */
  get endpoint(): string {
    if (!this.listener) throw new Error("ARM emulator is not running");
    return this.listener.origin;
  }

  get requests(): readonly LoggedRequest[] {
    return this.log.entries;
  }

  addServer(spec: ServerSpec): EmulatedServer {
    const server = new EmulatedServer(spec);
    const key = this.key(spec.subscriptionId, spec.resourceGroup, spec.kind, spec.name);
    if (this.serversByKey.has(key)) throw new Error(`server ${spec.name} already declared`);
    this.serversByKey.set(key, server);
    this.subscriptions.add(spec.subscriptionId.toLowerCase());
    return server;
  }

  /** A declared server by name (and kind / resource group when names repeat). */
  server(name: string, filter: { kind?: ServerKind; resourceGroup?: string } = {}): EmulatedServer {
    const found = [...this.serversByKey.values()].filter(
      (s) =>
        s.name.toLowerCase() === name.toLowerCase() &&
        (filter.kind === undefined || s.kind === filter.kind) &&
        (filter.resourceGroup === undefined ||
          s.resourceGroup.toLowerCase() === filter.resourceGroup.toLowerCase()),
    );
    const [only] = found;
    if (found.length !== 1 || !only)
      throw new Error(`expected exactly one server named ${name}, found ${found.length}`);
    return only;
  }

  servers(): EmulatedServer[] {
    return [...this.serversByKey.values()];
  }

  removeServer(server: EmulatedServer): void {
    this.serversByKey.delete(this.key(server.subscriptionId, server.resourceGroup, server.kind, server.name));
  }

  /** Where a replica FQDN really goes, e.g. `{ host: "127.0.0.1", port: 33061 }`. */
  addressOf(fqdn: string): { host: string; port: number } | undefined {
    return this.servers().find((s) => s.fqdn.toLowerCase() === fqdn.toLowerCase())?.replicaProcess;
  }

  /** `{ [fqdn]: "host:port" }` for every server with a replica process. */
  hostMap(): Record<string, string> {
    const map: Record<string, string> = {};
    for (const s of this.servers()) {
      if (s.replicaProcess) map[s.fqdn] = `${s.replicaProcess.host}:${s.replicaProcess.port}`;
    }
    return map;
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
  }

  private key(subscriptionId: string, resourceGroup: string, kind: ServerKind, name: string): string {
    return [subscriptionId, resourceGroup, kind, name].join("/").toLowerCase();
  }

  private async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const apiVersion = url.searchParams.get("api-version") ?? undefined;
    const fault = this.faults.take(method, url.pathname, "request");
    if (fault?.delayMs) await delay(fault.delayMs);
    let reply: Reply;
    let injected = false;
    if (fault?.status) {
      injected = true;
      reply = {
        status: fault.status,
        body: fault.body ?? defaultErrorBody(fault.status),
        headers:
          fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {},
      };
    } else {
      reply = await this.route(req, url, method, apiVersion);
    }
    sendJson(res, reply.status, reply.body, {
      "x-ms-request-id": randomUUID(),
      "x-ms-correlation-request-id": String(req.headers["x-ms-correlation-request-id"] ?? randomUUID()),
      ...reply.headers,
    });
    this.log.record({ method, path: url.pathname, apiVersion, status: reply.status, injected });
  }

  private async route(
    req: IncomingMessage,
    url: URL,
    method: string,
    apiVersion: string | undefined,
  ): Promise<Reply> {
    const authFailure = this.authenticate(req.headers.authorization);
    if (authFailure) return authFailure;

    const serverMatch = SERVER_PATH.exec(url.pathname);
    const operationMatch = OPERATION_PATH.exec(url.pathname);
    if (!serverMatch && !operationMatch) {
      return {
        status: 404,
        body: armError("NotFound", `The requested path '${url.pathname}' is not served by this emulator.`),
      };
    }
    const isSingle = serverMatch ? serverMatch[3]?.toLowerCase() === "servers" : undefined;
    const versionFailure = this.checkApiVersion(apiVersion, isSingle, serverMatch?.[5]);
    if (versionFailure) return versionFailure;

    if (operationMatch) {
      const [, subscriptionId = "", , kind = "", operationId = ""] = operationMatch;
      if (!this.subscriptions.has(subscriptionId.toLowerCase()))
        return this.subscriptionNotFound(subscriptionId);
      if (method !== "GET") return this.methodNotAllowed(method);
      return await this.pollOperation(operationId, kind.toLowerCase() === "azureasyncoperation");
    }
    const [, subscriptionId = "", resourceGroup = "", , serverName = "", child, childName] = serverMatch!;
    const kind: ServerKind = isSingle ? "single" : "flexible";
    if (!this.subscriptions.has(subscriptionId.toLowerCase()))
      return this.subscriptionNotFound(subscriptionId);
    const inGroup = this.servers().filter(
      (s) =>
        s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        s.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
    );
    if (inGroup.length === 0) {
      return {
        status: 404,
        body: armError("ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`),
      };
    }
    const server = inGroup.find((s) => s.kind === kind && s.name.toLowerCase() === serverName.toLowerCase());
    if (!server) {
      const type = isSingle ? "Microsoft.DBforMySQL/servers" : "Microsoft.DBforMySQL/flexibleServers";
      return {
        status: 404,
        body: armError(
          "ResourceNotFound",
          `The Resource '${type}/${serverName}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        ),
      };
    }
    const ctx: RequestContext = { server, method, url, apiVersion: apiVersion ?? "", req };
    if (!child)
      return method === "GET" ? { status: 200, body: server.toArm() } : this.methodNotAllowed(method);
    if (child.toLowerCase() === "firewallrules") return this.firewallRules(ctx, childName);
    if (child.toLowerCase() === "resetgtid") return this.resetGtid(ctx, childName);
    return this.configurations(ctx, childName);
  }

  private authenticate(header: string | undefined): Reply | undefined {
    const challenge = (description: string) => ({
      "www-authenticate": `Bearer authorization_uri="${this.options.authorityHost}/${this.options.tenantId}", error="invalid_token", error_description="${description}"`,
    });
    if (!header) {
      return {
        status: 401,
        body: armError(
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is missing.",
        ),
        headers: challenge("The authentication failed because of missing 'Authorization' header."),
      };
    }
    const match = /^Bearer (\S+)$/i.exec(header);
    if (!match?.[1]) {
      return {
        status: 401,
        body: armError(
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        ),
        headers: challenge("The authentication failed because of invalid 'Authorization' header format."),
      };
    }
    const checked = this.options.signer.verify(match[1]);
    if (!checked.ok) {
      return {
        status: 401,
        body: armError(
          "InvalidAuthenticationToken",
          checked.reason === "signature"
            ? "The access token signature is invalid."
            : "The access token is invalid.",
        ),
        headers: challenge("The access token is invalid."),
      };
    }
    const { claims } = checked;
    const nowSeconds = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp <= nowSeconds) {
      return {
        status: 401,
        body: armError(
          "ExpiredAuthenticationToken",
          `The access token expiry UTC time '${new Date(Number(claims.exp) * 1000).toISOString()}' is earlier than current UTC time '${new Date(this.now()).toISOString()}'.`,
        ),
        headers: challenge("The access token has expired."),
      };
    }
    const allowed = [`${this.endpoint}/`, this.endpoint];
    if (!allowed.includes(claims.aud)) {
      return {
        status: 401,
        body: armError(
          "InvalidAuthenticationTokenAudience",
          `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences ${allowed.map((a) => `'${a}'`).join(",")}.`,
        ),
        headers: challenge("The access token has been obtained for wrong audience or resource."),
      };
    }
    if (claims.tid !== this.options.tenantId) {
      const authority = `${this.options.authorityHost}/${this.options.tenantId}`;
      return {
        status: 401,
        body: armError(
          "InvalidAuthenticationTokenTenant",
          `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant '${authority}/' associated with this subscription. Please use the authority (URL) '${authority}' to get the token.`,
        ),
        headers: challenge("The access token is from the wrong issuer."),
      };
    }
    return undefined;
  }

  private checkApiVersion(
    apiVersion: string | undefined,
    isSingle: boolean | undefined,
    child: string | undefined,
  ): Reply | undefined {
    if (!apiVersion) {
      return {
        status: 400,
        body: armError(
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        ),
      };
    }
    const supported =
      isSingle === undefined
        ? [...SINGLE_SERVER_API_VERSIONS, ...FLEXIBLE_SERVER_API_VERSIONS]
        : isSingle
          ? SINGLE_SERVER_API_VERSIONS
          : FLEXIBLE_SERVER_API_VERSIONS;
    if (!API_VERSION_FORMAT.test(apiVersion)) {
      return {
        status: 400,
        body: armError(
          "InvalidApiVersionParameter",
          `The api-version '${apiVersion}' is invalid. The supported versions are '${supported.join(",")}'.`,
        ),
      };
    }
    if (!supported.includes(apiVersion)) {
      const type = `${isSingle === false ? "flexibleServers" : "servers"}${child ? `/${child}` : ""}`;
      return {
        status: 400,
        body: armError(
          "NoRegisteredProviderFound",
          `No registered resource provider found for location 'westeurope' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${supported.join(", ")}'. The supported locations are 'westeurope, northeurope, eastus, westus2'.`,
        ),
      };
    }
    return undefined;
  }

  private async firewallRules(ctx: RequestContext, ruleName: string | undefined): Promise<Reply> {
    const { server, method } = ctx;
    const ruleType = `${server.resourceType}/firewallRules`;
    if (ruleName === undefined) {
      if (method !== "GET") return this.methodNotAllowed(method);
      return { status: 200, body: { value: server.firewallRules().map((r) => server.firewallRuleToArm(r)) } };
    }
    const notFound: Reply = {
      status: 404,
      body: armError(
        "ResourceNotFound",
        `The requested resource of type '${ruleType}' with name '${ruleName}' was not found.`,
      ),
    };
    if (method === "GET") {
      const rule = server.firewallRule(ruleName);
      return rule ? { status: 200, body: server.firewallRuleToArm(rule) } : notFound;
    }
    if (method === "DELETE") {
      // ARM answers a DELETE of something that is not there with 204, synchronously.
      if (!server.firewallRule(ruleName)) return { status: 204 };
      return this.mutate(ctx, {
        apply: () => void server.deleteFirewallRule(ruleName),
        created: false,
        result: undefined,
      });
    }
    if (method !== "PUT") return this.methodNotAllowed(method);
    if (!RULE_NAME.test(ruleName)) {
      return {
        status: 400,
        body: armError(
          "InvalidParameterValue",
          `Invalid value given for parameter firewallRuleName '${ruleName}'. Specify a valid parameter value.`,
        ),
      };
    }
    const parsed = await this.readJson(ctx.req);
    if ("status" in parsed) return parsed;
    const props = (parsed.json as { properties?: Record<string, unknown> } | null)?.properties;
    for (const field of ["startIpAddress", "endIpAddress"] as const) {
      const value = props?.[field];
      if (typeof value !== "string" || !IPV4.test(value)) {
        return {
          status: 400,
          body: armError(
            "InvalidParameterValue",
            `Invalid value given for parameter ${field} '${String(value)}'. Specify a valid parameter value.`,
          ),
        };
      }
    }
    const startIpAddress = props!.startIpAddress as string;
    const endIpAddress = props!.endIpAddress as string;
    if (ipToNumber(startIpAddress) > ipToNumber(endIpAddress)) {
      return {
        status: 400,
        body: armError(
          "InvalidParameterValue",
          `The start IP address '${startIpAddress}' must be less than or equal to the end IP address '${endIpAddress}'.`,
        ),
      };
    }
    const rule = { name: ruleName, startIpAddress, endIpAddress };
    return this.mutate(ctx, {
      apply: () => void server.setFirewallRule(rule),
      created: !server.firewallRule(ruleName),
      result: () => server.firewallRuleToArm(server.firewallRule(ruleName) ?? rule),
    });
  }

  private async configurations(ctx: RequestContext, paramName: string | undefined): Promise<Reply> {
    const { server, method } = ctx;
    if (paramName === undefined) {
      if (method !== "GET") return this.methodNotAllowed(method);
      return {
        status: 200,
        body: { value: [...server.parameters.values()].map((p) => server.parameterToArm(p)) },
      };
    }
    const param = server.parameters.get(paramName.toLowerCase());
    if (!param) {
      return {
        status: 404,
        body: armError(
          "ResourceNotFound",
          `The requested resource of type '${server.resourceType}/configurations' with name '${paramName}' was not found.`,
        ),
      };
    }
    if (method === "GET") return { status: 200, body: server.parameterToArm(param) };
    if (method !== "PUT" && method !== "PATCH") return this.methodNotAllowed(method);
    const parsed = await this.readJson(ctx.req);
    if ("status" in parsed) return parsed;
    const props = (parsed.json as { properties?: { value?: unknown; source?: unknown } } | null)?.properties;
    const source = props?.source;
    // Setting source to system-default without a value resets the parameter, as the service does.
    const value = props?.value ?? (source === "system-default" ? param.defaultValue : undefined);
    if (typeof value !== "string") {
      return {
        status: 400,
        body: armError(
          "InvalidParameterValue",
          `Invalid value given for parameter value. Specify a valid parameter value.`,
        ),
      };
    }
    if (param.isReadOnly) {
      // Flexible Server's words, from MicrosoftDocs/azure-docs#85656; Single Server's are not documented.
      return {
        status: 400,
        body:
          server.kind === "flexible"
            ? armError(
                "ConfigurationReadOnly",
                `The configuration(s) '${param.name}' is(are) read-only for MySQL server version ${server.version}.`,
              )
            : armError(
                "InvalidParameterValue",
                `The parameter '${param.name}' is read-only and cannot be changed.`,
              ),
      };
    }
    const invalid = invalidParameterValue(param, value);
    if (invalid) {
      return {
        status: 400,
        body: armError(
          "InvalidParameterValue",
          `Invalid value '${value}' for parameter '${param.name}': it ${invalid}.`,
        ),
      };
    }
    const refusedStep = param.name === "gtid_mode" ? refusedGtidModeStep(param.value, value) : undefined;
    if (refusedStep) return { status: 400, body: armError("InvalidParameterValue", refusedStep) };
    if (server.parameterSink) {
      // The process standing in for the server takes the change first; what it refuses, Azure refuses too
      // (for gtid_mode MySQL itself enforces one step at a time, error 1788).
      try {
        await server.parameterSink(param.name, value);
      } catch (err) {
        return {
          status: 400,
          body: armError(
            "InvalidParameterValue",
            `Invalid value '${value}' for parameter '${param.name}': ${err instanceof Error ? err.message : String(err)}`,
          ),
        };
      }
    }
    return this.mutate(ctx, {
      apply: () => server.setParameter(param.name, value),
      created: false,
      result: () => server.parameterToArm(param),
    });
  }

  /**
   * `Servers_ResetGtid` (flexibleServers only; azure-rest-api-specs FlexibleServers/Server.tsp, examples
   * ServerResetGtid.json from 2023-06-01-preview on): POST `{"gtidSet": "..."}`, 200 or 202 + Azure-AsyncOperation.
   * Preconditions as Azure documents them for `az mysql flexible-server gtid reset`: the server is Ready, its gtid_mode
   * is ON, and no replication runs on it. Azure's error codes for refused preconditions are not documented; BadRequest
   * is used. The effect is real: the process standing in for the server gets RESET BINARY LOGS AND GTIDS and
   * SET GLOBAL gtid_purged (gtidResetSink), when the operation succeeds.
   */
  private async resetGtid(ctx: RequestContext, extra: string | undefined): Promise<Reply> {
    const { server, method } = ctx;
    if (server.kind !== "flexible" || extra !== undefined) {
      return {
        status: 404,
        body: armError(
          "NotFound",
          `The requested path '${ctx.url.pathname}' is not served by this emulator.`,
        ),
      };
    }
    if (method !== "POST") return this.methodNotAllowed(method);
    if (ctx.apiVersion < RESET_GTID_FIRST_API_VERSION) {
      return {
        status: 400,
        body: armError(
          "NoRegisteredProviderFound",
          `No registered resource provider found for API version '${ctx.apiVersion}' and action 'resetGtid'; it exists from ${RESET_GTID_FIRST_API_VERSION} on.`,
        ),
      };
    }
    const parsed = await this.readJson(ctx.req);
    if ("status" in parsed) return parsed;
    const gtidSet = (parsed.json as { gtidSet?: unknown } | null)?.gtidSet;
    if (typeof gtidSet !== "string" || !GTID_SET.test(gtidSet.replace(/\s+/g, ""))) {
      return {
        status: 400,
        body: armError(
          "InvalidParameterValue",
          `Invalid value given for parameter gtidSet '${String(gtidSet)}'. Specify a valid GTID set.`,
        ),
      };
    }
    const refuse = (message: string): Reply => ({ status: 400, body: armError("BadRequest", message) });
    if (server.state !== "Ready") return refuse(`The server '${server.name}' is ${server.state}, not Ready.`);
    const gtidMode = server.parameters.get("gtid_mode")?.value ?? "OFF";
    if (gtidMode.toUpperCase() !== "ON")
      return refuse(`GTID reset needs gtid_mode ON; the server's gtid_mode is ${gtidMode}.`);
    if (server.replicationRunning && (await server.replicationRunning()))
      return refuse("GTID reset is not allowed while replication runs on the server: stop it first.");
    const sink = server.gtidResetSink;
    return this.mutate(ctx, {
      apply: () => (sink ? sink(gtidSet) : undefined),
      created: false,
      result: undefined,
    });
  }

  /** Runs a PUT/PATCH/DELETE as ARM would: finished at once (200/201/204), or accepted (202) and polled to its outcome. */
  private async mutate(
    ctx: RequestContext,
    change: { apply: () => void | Promise<void>; created: boolean; result: (() => unknown) | undefined },
  ): Promise<Reply> {
    const override = this.faults.take(ctx.method, ctx.url.pathname, "lro")?.lro;
    const behavior: LroBehavior = { ...ctx.server.lro, ...override };
    const outcome = behavior.outcome ?? "Succeeded";
    // A failure can only be reported through polling; "direct" has no way to say "accepted, then failed".
    const mode =
      outcome === "Failed" && (behavior.mode ?? "direct") === "direct"
        ? "async"
        : (behavior.mode ?? "direct");
    if (mode === "direct") {
      await change.apply();
      if (!change.result) return { status: 200 };
      return { status: change.created ? 201 : 200, body: change.result() };
    }
    const id = randomUUID();
    const base = `${this.endpoint}/subscriptions/${ctx.server.subscriptionId}/providers/Microsoft.DBforMySQL/locations/${ctx.server.location}`;
    const query = `?api-version=${ctx.apiVersion}`;
    const locationUrl = `${base}/operationResults/${id}${query}`;
    this.operations.set(id, {
      id,
      pollsLeft: behavior.inProgressPolls ?? 1,
      outcome,
      error: behavior.error ?? {
        code: "InternalServerError",
        message: "An unexpected error occured while processing the request.",
      },
      retryAfterSeconds: behavior.retryAfterSeconds,
      locationUrl,
      startTime: new Date(this.now()).toISOString(),
      finished: false,
      apply: change.apply,
      result: change.result ?? (() => undefined),
    });
    return {
      status: 202,
      headers: {
        ...(mode === "async" ? { "azure-asyncoperation": `${base}/azureAsyncOperation/${id}${query}` } : {}),
        location: locationUrl,
        ...(behavior.retryAfterSeconds !== undefined
          ? { "retry-after": String(behavior.retryAfterSeconds) }
          : {}),
      },
    };
  }

  private async pollOperation(id: string, statusMonitor: boolean): Promise<Reply> {
    const op = this.operations.get(id);
    if (!op) {
      return {
        status: 404,
        body: armError("OperationNotFound", `The operation '${id}' could not be found.`),
      };
    }
    const retryAfter: Record<string, string> =
      op.retryAfterSeconds !== undefined ? { "retry-after": String(op.retryAfterSeconds) } : {};
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      if (statusMonitor)
        return {
          status: 200,
          body: { name: id, status: "InProgress", startTime: op.startTime },
          headers: retryAfter,
        };
      return { status: 202, headers: { location: op.locationUrl, ...retryAfter } };
    }
    if (!op.finished) {
      op.finished = true;
      op.endTime = new Date(this.now()).toISOString();
      if (op.outcome === "Succeeded") {
        try {
          await op.apply();
        } catch (err) {
          // What the process standing in for the server refused, the operation reports as failed.
          op.outcome = "Failed";
          op.error = {
            code: "InternalServerError",
            message: err instanceof Error ? err.message : String(err),
          };
        }
      }
    }
    if (statusMonitor) {
      return {
        status: 200,
        body: {
          name: id,
          status: op.outcome,
          startTime: op.startTime,
          endTime: op.endTime,
          ...(op.outcome === "Failed" ? { error: op.error } : {}),
        },
      };
    }
    if (op.outcome === "Failed") return { status: 400, body: { error: op.error } };
    const result = op.result();
    return result === undefined ? { status: 204 } : { status: 200, body: result };
  }

  private async readJson(req: IncomingMessage): Promise<{ json: unknown } | Reply> {
    const text = await readBody(req);
    try {
      return { json: JSON.parse(text) as unknown };
    } catch (err) {
      return {
        status: 400,
        body: armError(
          "InvalidRequestContent",
          `The request content was invalid and could not be deserialized: '${(err as Error).message}'.`,
        ),
      };
    }
  }

  private subscriptionNotFound(subscriptionId: string): Reply {
    return {
      status: 404,
      body: armError("SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`),
    };
  }

  private methodNotAllowed(method: string): Reply {
    return {
      status: 405,
      body: armError(
        "MethodNotAllowed",
        `The requested method '${method}' is not supported for this resource.`,
      ),
    };
  }
}

interface RequestContext {
  server: EmulatedServer;
  method: string;
  url: URL;
  apiVersion: string;
  req: IncomingMessage;
}
