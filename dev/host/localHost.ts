// Runs the Function app off Azure: loads its modules, captures their registrations and plays the Functions host and
// the Durable extension around the real durable-functions replay engine.
import { assertSupportedDurableFunctions } from "./supportedLibrary";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { Readable, Transform } from "node:stream";
import { format } from "node:util";
import { HttpRequest, HttpResponse, InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { type Clock } from "./clock";
import { DurableHttpApi, type ApiRequest, type ApiResponse } from "./durableHttpApi";
import {
  capturedFunctions,
  capturedHooks,
  programmingModelWasSet,
  setCoreLogSink,
} from "./functionsCoreShim";
import { eventTypeName, type HistoryEvent } from "./historyEvent";
import { type HostFunction, toHostFunction } from "./hostFunction";
import { installCoreShim } from "./installCoreShim";
import { NotSupportedByLocalHostError } from "./notSupportedError";
import {
  errorMessage,
  type InstanceSnapshot,
  type LogRecord,
  OrchestrationEngine,
} from "./orchestrationEngine";
import { RealClock } from "./realClock";
import { RouteTemplate } from "./routeTemplate";

// In plain Node the hook must exist before any function module asks @azure/functions to register something.
installCoreShim();

export interface LocalHostOptions {
  /** Absolute paths of the app's function modules; they are required unchanged. */
  functionModules: string[];
  /** Copied into process.env before the modules load (the app reads its configuration from there). */
  appSettings?: Record<string, string>;
  /** RealClock by default; a ManualClock makes durable timers fire without waiting. */
  clock?: Clock;
  taskHubName?: string;
  /** At-least-once simulation: every activity runs twice with the same input and the second result is kept. */
  executeActivitiesTwice?: boolean;
  /** Receives every log line of every invocation (context.log/warn/error...) and the host's own warnings. */
  log?: (record: LogRecord) => void;
  /** host.json extensions.http.routePrefix; "api" like the Functions host. */
  routePrefix?: string;
  /**
   * The durable extension's system key (`durabletask_extension`): its webhook routes answer 401 without it, as on
   * Azure. Random per host unless given; the durable client bound to functions carries it as `code=`.
   */
  systemKey?: string;
}

/**
 * The Functions host refuses request bodies over 100 MB (104,857,600 bytes; app setting
 * FUNCTIONS_REQUEST_BODY_SIZE_LIMIT): https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger#limits
 * ("The HTTP request length is limited to 100 MB (104,857,600 bytes)"). Kestrel answers 413.
 */
const HOST_MAX_REQUEST_BODY_BYTES = 104_857_600;

export interface RegistrationInfo {
  name: string;
  triggerType: string;
  bindings: HostFunction["bindings"];
}

export interface HttpInvocation {
  method: string;
  /** Path with the route prefix, e.g. "/api/replications/42"; may carry a query string. */
  path: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON with content-type application/json. */
  body?: unknown;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  json<T = unknown>(): T;
}

export interface WaitOptions {
  timeoutMs?: number;
}

interface HttpRoute {
  fn: HostFunction;
  template: RouteTemplate;
  methods: string[] | undefined;
}

const webhookPrefix = ["runtime", "webhooks", "durabletask"];
const defaultOrigin = "http://localhost:7071";

export class LocalHost {
  readonly registrations: readonly RegistrationInfo[];
  readonly logs: LogRecord[] = [];
  readonly clock: Clock;
  readonly taskHubName: string;
  /** Key the durable webhook routes require (`?code=` or `x-functions-key`), like Azure's system key. */
  readonly systemKey: string;
  /** The real durable-functions DurableClient, talking to this host's loopback RPC server. */
  readonly client: df.DurableClient;

  readonly #functions: ReadonlyMap<string, HostFunction>;
  readonly #engine: OrchestrationEngine;
  readonly #api: DurableHttpApi;
  readonly #rpcServer: Server;
  readonly #rpcBaseUrl: string;
  readonly #routePrefix: string[];
  readonly #routes: HttpRoute[];
  #appServer: Server | undefined;
  #appOrigin: string | undefined;

  private constructor(
    functions: ReadonlyMap<string, HostFunction>,
    engine: OrchestrationEngine,
    rpcServer: Server,
    rpcBaseUrl: string,
    options: LocalHostOptions,
    clock: Clock,
    logs: LogRecord[],
  ) {
    this.#functions = functions;
    this.#engine = engine;
    this.#rpcServer = rpcServer;
    this.#rpcBaseUrl = rpcBaseUrl;
    this.logs = logs;
    this.clock = clock;
    this.taskHubName = options.taskHubName ?? "LocalHostHub";
    this.systemKey = options.systemKey ?? randomUUID().replace(/-/g, "");
    this.#routePrefix = (options.routePrefix ?? "api").split("/").filter(Boolean);
    this.#api = new DurableHttpApi(engine, (id) => this.#managementUrls(id));
    this.registrations = [...functions.values()].map((f) => ({
      name: f.name,
      triggerType: f.triggerType,
      bindings: f.bindings,
    }));
    this.#routes = [...functions.values()]
      .filter((f) => f.triggerType === "httpTrigger")
      .map((fn) => ({
        fn,
        template: new RouteTemplate(typeof fn.trigger.route === "string" ? fn.trigger.route : fn.name),
        methods: Array.isArray(fn.trigger.methods)
          ? (fn.trigger.methods as unknown[]).map((m) => String(m).toUpperCase())
          : undefined,
      }));
    this.client = this.#createClient();
  }

  /**
   * Loads the function modules (after putting appSettings into process.env) and starts the durable RPC server.
   * Registrations are read from the shim of the current module registry: under Jest that is per test file, so one
   * test file may start several hosts, and each sees every function registered in that file so far.
   */
  static async start(options: LocalHostOptions): Promise<LocalHost> {
    assertSupportedDurableFunctions();
    installCoreShim();
    for (const [key, value] of Object.entries(options.appSettings ?? {})) process.env[key] = value;
    // DurableClient uses axios, which would send loopback RPC calls through an HTTP(S)_PROXY if one is set.
    if (
      process.env.HTTP_PROXY ||
      process.env.http_proxy ||
      process.env.HTTPS_PROXY ||
      process.env.https_proxy
    ) {
      const current = process.env.NO_PROXY ?? process.env.no_proxy ?? "";
      process.env.NO_PROXY = [current, "127.0.0.1", "localhost"].filter(Boolean).join(",");
    }
    const logs: LogRecord[] = [];
    const sink = (record: LogRecord): void => {
      logs.push(record);
      options.log?.(record);
    };
    setCoreLogSink((level, category, message) =>
      sink({ level: toLogLevel(level), functionName: `(${category})`, invocationId: "", message }),
    );

    loadFunctionModules(options.functionModules);
    const functions = new Map<string, HostFunction>();
    for (const captured of capturedFunctions()) {
      const fn = toHostFunction(captured);
      functions.set(fn.name, fn);
    }
    for (const hook of capturedHooks()) {
      sink({
        level: "warning",
        functionName: "(host)",
        invocationId: "",
        message: `hook "${hook.hookName}" is registered but the local host does not run hooks`,
      });
    }

    const clock: Clock = options.clock ?? new RealClock();
    const engine = new OrchestrationEngine({
      clock,
      functions,
      executeActivitiesTwice: options.executeActivitiesTwice ?? false,
      log: sink,
    });
    clock.attachHost?.(engine);

    // The server needs the host and the host needs the server's port: a holder breaks the cycle.
    const ref: { host?: LocalHost } = {};
    const rpcServer = createServer((req, res) => {
      if (!ref.host) {
        res.writeHead(503).end();
        return;
      }
      void ref.host.#serveRpc(req, res);
    });
    const rpcPort = await listenOn(rpcServer, 0);
    const host = new LocalHost(
      functions,
      engine,
      rpcServer,
      `http://127.0.0.1:${rpcPort}/durabletask/`,
      options,
      clock,
      logs,
    );
    ref.host = host;
    return host;
  }

  /** Serves the app's HTTP routes (and the durable webhook routes) like `func start`; returns the base URL. */
  async listen(port = 0): Promise<string> {
    if (this.#appServer) throw new Error("LocalHost.listen: already listening");
    const server = createServer((req, res) => void this.#serveApp(req, res));
    const actual = await listenOn(server, port);
    this.#appServer = server;
    this.#appOrigin = `http://127.0.0.1:${actual}`;
    return this.#appOrigin;
  }

  get baseUrl(): string | undefined {
    return this.#appOrigin;
  }

  /** Invokes an HTTP-triggered function in-process, as a request to `path` would. */
  async invokeHttp(invocation: HttpInvocation): Promise<HttpResult> {
    const url = new URL(invocation.path, this.#appOrigin ?? defaultOrigin);
    for (const [k, v] of Object.entries(invocation.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...(invocation.headers ?? {}) };
    let body: Buffer | undefined;
    if (invocation.body !== undefined) {
      if (typeof invocation.body === "string") {
        body = Buffer.from(invocation.body);
      } else {
        body = Buffer.from(JSON.stringify(invocation.body));
      }
      // Like a JSON client: a body is declared as JSON unless the caller names another type.
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["content-type"] = "application/json";
      }
    }
    return await this.#dispatch(invocation.method.toUpperCase(), url, headers, body);
  }

  /** Runs a timer-triggered function now, with the Timer object the host would pass. */
  async fireTimer(functionName: string): Promise<void> {
    const fn = this.#functions.get(functionName);
    if (!fn || fn.triggerType !== "timerTrigger")
      throw new Error(`No timer-triggered function named "${functionName}"`);
    const now = new Date(this.clock.now()).toISOString();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: now, next: now, lastUpdated: now },
    };
    await this.#engine.track(async () => {
      const context = this.#context(fn);
      await fn.handler(timer, context);
    });
  }

  /** Resolves with the final status once the instance is Completed, Failed or Terminated. */
  async waitForInstance(instanceId: string, options: WaitOptions = {}): Promise<InstanceSnapshot> {
    return await this.#engine.waitForTerminal(instanceId, options.timeoutMs ?? 30_000);
  }

  /** Resolves when no activity, episode or HTTP invocation is in flight (pending durable timers do not count). */
  async idle(): Promise<void> {
    await this.#engine.whenIdle();
  }

  /** The current execution's history, with `EventTypeName` added for readable assertions. */
  history(instanceId: string): (HistoryEvent & { EventTypeName: string })[] {
    return this.#engine.history(instanceId).map((e) => ({ ...e, EventTypeName: eventTypeName(e.EventType) }));
  }

  instances(): InstanceSnapshot[] {
    return this.#engine.snapshots();
  }

  instance(instanceId: string): InstanceSnapshot | undefined {
    return this.#engine.snapshot(instanceId);
  }

  /** Figures for benchmarks. */
  stats(): {
    instances: number;
    activityExecutions: number;
    historyEventsByInstance: Record<string, number>;
  } {
    const snaps = this.#engine.snapshots();
    return {
      instances: snaps.length,
      activityExecutions: this.#engine.totalActivityExecutions,
      historyEventsByInstance: Object.fromEntries(snaps.map((s) => [s.instanceId, s.historyEventCount])),
    };
  }

  async stop(): Promise<void> {
    this.#engine.stop();
    await Promise.all([
      closeServer(this.#rpcServer),
      this.#appServer ? closeServer(this.#appServer) : undefined,
    ]);
    this.#appServer = undefined;
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  #context(fn: HostFunction): InvocationContext {
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      logHandler: (level, ...args) =>
        this.#record({ level, functionName: fn.name, invocationId, message: format(...args) }),
      options: {
        trigger: fn.trigger,
        return: fn.returnBinding as never,
        extraInputs: fn.extraInputs,
        extraOutputs: fn.extraOutputs,
      },
    });
    for (const input of fn.extraInputs) {
      if (input.type === "durableClient" || input.type === "orchestrationClient") {
        context.extraInputs.set(input.name, this.#clientData());
      }
    }
    return context;
  }

  #record(record: LogRecord): void {
    this.logs.push(record);
  }

  /** What the extension binds to a durableClient input; df.getClient(context) reads exactly this. */
  #clientData(): Record<string, unknown> {
    const webhook = `${this.#appOrigin ?? defaultOrigin}/${webhookPrefix.join("/")}`;
    const qs = `taskHub=${this.taskHubName}&connection=Storage&code=${encodeURIComponent(this.systemKey)}`;
    return {
      taskHubName: this.taskHubName,
      creationUrls: {
        createNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?${qs}`,
        createAndWaitOnNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${qs}`,
      },
      managementUrls: this.#managementUrls("INSTANCEID"),
      baseUrl: webhook,
      requiredQueryStringParameters: qs,
      rpcBaseUrl: this.#rpcBaseUrl,
    };
  }

  #managementUrls(instanceId: string): Record<string, string> {
    const webhook = `${this.#appOrigin ?? defaultOrigin}/${webhookPrefix.join("/")}`;
    const qs = `taskHub=${this.taskHubName}&connection=Storage&code=${encodeURIComponent(this.systemKey)}`;
    const base = `${webhook}/instances/${instanceId}`;
    return {
      id: instanceId,
      statusQueryGetUri: `${base}?${qs}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${qs}`,
      terminatePostUri: `${base}/terminate?reason={text}&${qs}`,
      rewindPostUri: `${base}/rewind?reason={text}&${qs}`,
      purgeHistoryDeleteUri: `${base}?${qs}`,
      restartPostUri: `${base}/restart?${qs}`,
      suspendPostUri: `${base}/suspend?reason={text}&${qs}`,
      resumePostUri: `${base}/resume?reason={text}&${qs}`,
    };
  }

  #createClient(): df.DurableClient {
    const durableInput = df.input.durableClient();
    const context = new InvocationContext({
      invocationId: "local-host-client",
      functionName: "(local host client)",
      options: { extraInputs: [durableInput] },
    });
    // Only rpcBaseUrl matters for its calls; getClient rewrites the webhook origins to localhost:7071 anyway.
    context.extraInputs.set(durableInput, this.#clientData());
    return df.getClient(context);
  }

  async #serveRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", this.#rpcBaseUrl);
      const segments = splitPath(url.pathname);
      if (segments[0] !== "durabletask") {
        send(res, { status: 404, body: null });
        return;
      }
      const body = (await readBody(req)).toString("utf8");
      send(res, this.#callApi(req, segments.slice(1), url, body));
    } catch (err) {
      send(res, { status: 500, body: { Message: errorMessage(err) } });
    }
  }

  #callApi(
    req: IncomingMessage | { method: string; headers: Record<string, string> },
    segments: string[],
    url: URL,
    body: string,
  ): ApiResponse {
    const token = req.headers["x-ms-continuation-token"];
    const apiRequest: ApiRequest = {
      method: req.method ?? "GET",
      segments,
      query: url.searchParams,
      body,
      continuationToken: typeof token === "string" ? token : undefined,
    };
    return this.#api.handle(apiRequest);
  }

  async #serveApp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", this.#appOrigin ?? defaultOrigin);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      }
      const declared = req.headers["content-length"];
      if (declared !== undefined && Number(declared) > HOST_MAX_REQUEST_BODY_BYTES) {
        // Answered before reading a byte; the connection closes so the unread body is not drained.
        res.writeHead(413, { connection: "close" }).end();
        req.destroy();
        return;
      }
      const method = (req.method ?? "GET").toUpperCase();
      const hasBody =
        method !== "GET" &&
        method !== "HEAD" &&
        (declared !== undefined ? Number(declared) > 0 : req.headers["transfer-encoding"] !== undefined);
      const result = await this.#dispatch(method, url, headers, hasBody ? limitedStream(req) : undefined);
      // A function that answered without reading the whole body (a 413): close rather than drain the rest.
      const unread = hasBody && !req.readableEnded;
      res.writeHead(result.status, unread ? { ...result.headers, connection: "close" } : result.headers);
      res.end(result.body);
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(errorMessage(err));
    }
  }

  async #dispatch(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | Readable | undefined,
  ): Promise<HttpResult> {
    const segments = splitPath(url.pathname);
    if (webhookPrefix.every((p, i) => segments[i]?.toLowerCase() === p)) {
      // Azure's host answers 401 to an extension webhook call without the system key.
      const key = url.searchParams.get("code") ?? headers["x-functions-key"];
      if (key !== this.systemKey) return toResult(401, {}, "");
      const text =
        body === undefined
          ? ""
          : Buffer.isBuffer(body)
            ? body.toString("utf8")
            : (await readBody(body)).toString("utf8");
      const r = this.#callApi({ method, headers }, segments.slice(webhookPrefix.length), url, text);
      return toResult(
        r.status,
        { "content-type": "application/json", ...(r.headers ?? {}) },
        r.body === null ? "" : JSON.stringify(r.body),
      );
    }
    if (!this.#routePrefix.every((p, i) => segments[i]?.toLowerCase() === p.toLowerCase())) {
      return toResult(404, {}, "");
    }
    const rest = segments.slice(this.#routePrefix.length);
    let best: { route: HttpRoute; params: Record<string, string> } | undefined;
    for (const route of this.#routes) {
      if (route.methods && !route.methods.includes(method)) continue;
      const m = route.template.match(rest);
      if (m && (!best || comparePrecedence(route.template.precedence, best.route.template.precedence) > 0)) {
        best = { route, params: m.params };
      }
    }
    // The Functions host answers 404 both for unknown paths and for known paths with another method.
    if (!best) return toResult(404, {}, "");
    const { fn } = best.route;
    return await this.#engine.track(async () => {
      // A socket body is handed over as a stream (the worker's HTTP streaming path), so the app's own limit
      // decides how much of it is read; the host's limit is enforced around it.
      const request = Buffer.isBuffer(body)
        ? new HttpRequest({
            method,
            url: url.toString(),
            headers,
            params: best.params,
            body: { bytes: body },
          })
        : new HttpRequest({
            method,
            url: url.toString(),
            headers,
            params: best.params,
            // The library's internal init (what its streaming path builds); not in the public type.
            nativeRequest: new Request(url, {
              method,
              headers,
              ...(body ? { body: Readable.toWeb(body) as ReadableStream, duplex: "half" } : {}),
            }),
          } as ConstructorParameters<typeof HttpRequest>[0]);
      const context = this.#context(fn);
      let result: unknown;
      try {
        result = await fn.handler(request, context);
      } catch (err) {
        // The host logs the exception and answers 500 with an empty body.
        this.#record({
          level: "error",
          functionName: fn.name,
          invocationId: context.invocationId,
          message: `Exception while executing function: Functions.${fn.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        });
        return toResult(500, {}, "");
      }
      if (result === undefined || result === null) return toResult(204, {}, "");
      if (typeof result !== "object") {
        throw new Error(
          `Function "${fn.name}" returned a ${typeof result}; an HTTP function must return an HttpResponseInit`,
        );
      }
      const response = result instanceof HttpResponse ? result : new HttpResponse(result);
      const outHeaders: Record<string, string> = {};
      for (const [k, v] of response.headers.entries()) outHeaders[k] = v;
      if (response.cookies.length > 0) {
        throw new NotSupportedByLocalHostError(`Response cookies of function "${fn.name}"`);
      }
      return toResult(response.status, outHeaders, await response.text());
    });
  }
}

/** @azure/functions prints a warning and drops registrations in test mode; catch that here and fail loudly. */
function loadFunctionModules(modules: string[]): void {
  const before = capturedFunctions().length;
  const testModeWarnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]): void => {
    const text = format(...args);
    if (text.includes("test mode")) testModeWarnings.push(text);
    else originalWarn(...args);
  };
  try {
    for (const modulePath of modules) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- function modules are loaded unchanged, by path, like the worker does
      require(modulePath);
    }
  } finally {
    console.warn = originalWarn;
  }
  const registered = capturedFunctions().length;
  if (
    testModeWarnings.length > 0 ||
    (modules.length > 0 && (!programmingModelWasSet() || registered === 0))
  ) {
    throw new Error(
      `@azure/functions registered no functions with the local host (${registered - before} new, ${registered} in total): ` +
        `it is in "test mode" because "@azure/functions-core" could not be resolved when it first registered a ` +
        `function, and it drops every registration after that. Make the shim resolvable before any function module ` +
        `loads (Jest: moduleNameMapper "^@azure/functions-core$" -> dev/host/functionsCoreShim.ts; plain Node: import ` +
        `dev/host/localHost or call installCoreShim() first).` +
        (testModeWarnings.length > 0 ? ` Warnings seen: ${testModeWarnings.join(" | ")}` : ""),
    );
  }
}

function toLogLevel(level: string): LogRecord["level"] {
  const known = ["trace", "debug", "information", "warning", "error", "critical", "none"];
  return (known.includes(level) ? level : "information") as LogRecord["level"];
}

function comparePrecedence(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function splitPath(pathname: string): string[] {
  return pathname
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
}

function toResult(status: number, headers: Record<string, string>, body: string): HttpResult {
  return {
    status,
    headers,
    body,
    json<T>(): T {
      return JSON.parse(body) as T;
    },
  };
}

function send(res: ServerResponse, r: ApiResponse): void {
  const text =
    r.body === null || r.body === undefined
      ? ""
      : typeof r.body === "string"
        ? r.body
        : JSON.stringify(r.body);
  res.writeHead(r.status, {
    ...(typeof r.body === "string"
      ? { "content-type": "text/plain" }
      : { "content-type": "application/json" }),
    ...(r.headers ?? {}),
  });
  res.end(text);
}

/** The request body, failing once it passes the Functions host's limit (a chunked body has no Content-Length). */
function limitedStream(req: IncomingMessage): Readable {
  let total = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > HOST_MAX_REQUEST_BODY_BYTES) callback(new Error("request body too large"));
      else callback(null, chunk);
    },
  });
  req.on("error", (error) => limiter.destroy(error));
  return req.pipe(limiter);
}

async function readBody(req: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export type { InstanceSnapshot, LogRecord };
