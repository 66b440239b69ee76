// The Durable extension's HTTP API (the rpcBaseUrl routes DurableClient calls, also mounted as the webhook routes that
// createCheckStatusResponse links to), answered from the in-memory OrchestrationEngine.
import {
  EngineRequestError,
  type InstanceSnapshot,
  type OrchestrationEngine,
  terminalStatuses,
} from "./orchestrationEngine";
import { type HistoryEvent } from "./historyEvent";

export interface ApiRequest {
  method: string;
  /** Path below the API root, e.g. "instances/abc" or "orchestrators/Name/id", already URL-decoded per segment. */
  segments: string[];
  query: URLSearchParams;
  body: string;
  /** Continuation token header for paged listing. */
  continuationToken: string | undefined;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ManagementUrlBuilder {
  /** Absolute URLs of the management API for one instance, as the extension returns them from startNew. */
  (instanceId: string): Record<string, string>;
}

export class DurableHttpApi {
  constructor(
    private readonly engine: OrchestrationEngine,
    private readonly managementUrls: ManagementUrlBuilder,
  ) {}

  handle(req: ApiRequest): ApiResponse {
    try {
      return this.#route(req);
    } catch (err) {
      if (err instanceof EngineRequestError) {
        // The extension's error body shape for an exception (what Python users see in start_new failures).
        return {
          status: err.status,
          body: {
            Message: "Something went wrong while processing your request",
            ExceptionMessage: err.message,
            ExceptionType:
              err.status === 500 ? "System.InvalidOperationException" : "System.ArgumentException",
          },
        };
      }
      throw err;
    }
  }

  #route(req: ApiRequest): ApiResponse {
    const [root, a, b, c] = req.segments;
    const method = req.method.toUpperCase();
    if (root === "orchestrators" && a && method === "POST" && req.segments.length <= 3) {
      const id = this.engine.startNew(a, req.body === "" ? null : req.body, b);
      return { status: 202, body: this.managementUrls(id) };
    }
    if (root === "instances") {
      if (!a) {
        if (method === "GET") return this.#list(req);
        if (method === "DELETE") return this.#purgeBy(req);
      } else if (!b) {
        if (method === "GET") return this.#status(a, req.query);
        if (method === "DELETE") {
          const deleted = this.engine.purge(a);
          return deleted ? { status: 200, body: { instancesDeleted: 1 } } : { status: 404, body: null };
        }
      } else if (method === "POST" && b === "raiseEvent" && c) {
        this.engine.raiseEvent(a, c, req.body === "" ? null : req.body);
        return { status: 202, body: null };
      } else if (method === "POST" && b === "terminate") {
        this.engine.terminate(a, req.query.get("reason") ?? "");
        return { status: 202, body: null };
      } else if (
        method === "POST" &&
        (b === "rewind" || b === "suspend" || b === "resume" || b === "restart")
      ) {
        return { status: 501, body: `${b} is not supported by the local host.` };
      }
    }
    if (root === "entities") {
      return { status: 501, body: "Durable entities are not supported by the local host." };
    }
    return { status: 404, body: { Message: `No route for ${method} ${req.segments.join("/")}` } };
  }

  #status(instanceId: string, query: URLSearchParams): ApiResponse {
    const s = this.engine.snapshot(instanceId);
    if (!s) return { status: 404, body: null };
    const body = statusJson(s, query.get("showInput") !== "false");
    if (query.get("showHistory") === "true") {
      body.historyEvents = this.engine.history(instanceId).map(describeEvent);
    }
    return { status: terminalStatuses.has(s.runtimeStatus) ? 200 : 202, body };
  }

  #filtered(query: URLSearchParams): InstanceSnapshot[] {
    const statuses = query.get("runtimeStatus")?.split(",").filter(Boolean);
    const from = query.get("createdTimeFrom");
    const to = query.get("createdTimeTo");
    const prefix = query.get("instanceIdPrefix");
    return this.engine
      .snapshots()
      .filter((s) => !statuses || statuses.includes(s.runtimeStatus))
      .filter((s) => !from || s.createdTime.getTime() >= Date.parse(from))
      .filter((s) => !to || s.createdTime.getTime() <= Date.parse(to))
      .filter((s) => !prefix || s.instanceId.startsWith(prefix))
      .sort((x, y) => x.createdTime.getTime() - y.createdTime.getTime());
  }

  #list(req: ApiRequest): ApiResponse {
    const all = this.#filtered(req.query);
    const top = Number(req.query.get("top") ?? "0");
    const offset = Number(req.continuationToken ?? "0") || 0;
    const page = top > 0 ? all.slice(offset, offset + top) : all.slice(offset);
    const next = top > 0 && offset + top < all.length ? String(offset + top) : undefined;
    const showInput = req.query.get("showInput") !== "false";
    return {
      status: 200,
      body: page.map((s) => statusJson(s, showInput)),
      headers: next ? { "x-ms-continuation-token": next } : {},
    };
  }

  #purgeBy(req: ApiRequest): ApiResponse {
    let deleted = 0;
    for (const s of this.#filtered(req.query)) {
      if (this.engine.purge(s.instanceId)) deleted++;
    }
    return deleted > 0 ? { status: 200, body: { instancesDeleted: deleted } } : { status: 404, body: null };
  }
}

/** The extension's status JSON; `input` and `output` must be present (null, not missing) for DurableClient. */
function statusJson(s: InstanceSnapshot, showInput: boolean): Record<string, unknown> {
  return {
    name: s.name,
    instanceId: s.instanceId,
    runtimeStatus: s.runtimeStatus,
    input: showInput ? (s.input ?? null) : null,
    customStatus: s.customStatus ?? null,
    output: s.output ?? null,
    createdTime: dotNetTime(s.createdTime),
    lastUpdatedTime: dotNetTime(s.lastUpdatedTime),
  };
}

function dotNetTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function describeEvent(e: HistoryEvent): Record<string, unknown> {
  return { ...e };
}
