// Per-route fault injection for the emulators: error statuses with Retry-After, latency, and LRO outcomes, each for a limited number of requests.
export interface ServiceErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}

export interface LroOverride {
  /** "direct": 200/201/204 with the result; "async": 202 + Azure-AsyncOperation + Location; "location": 202 + Location only. */
  mode?: "direct" | "async" | "location";
  outcome?: "Succeeded" | "Failed";
  error?: { code: string; message: string };
}

export interface FaultSpec {
  method?: string;
  pathIncludes?: string;
  pathRegex?: RegExp;
  /** Reply with this status instead of serving the request. Omit for pure latency or an LRO override. */
  status?: number;
  retryAfterSeconds?: number;
  /** Delay before the request is handled (or the fault is returned). */
  delayMs?: number;
  /** How many matching requests this fault applies to; default 1. Use Infinity for "until removed". */
  times?: number;
  /** Replaces the default error body of `status`. */
  body?: ServiceErrorBody | Record<string, unknown>;
  /** ARM only: changes how a matching long-running operation behaves, without failing the request itself. */
  lro?: LroOverride;
}

export interface ActiveFault {
  readonly spec: FaultSpec;
  /** Requests this fault has applied to so far. */
  hits: number;
  remove(): void;
}

export class FaultInjector {
  private readonly faults: ActiveFault[] = [];

  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = {
      spec,
      hits: 0,
      remove: () => {
        const i = this.faults.indexOf(fault);
        if (i >= 0) this.faults.splice(i, 1);
      },
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /**
   * Finds the first matching fault, counts the hit, and retires it once its `times` are used up.
   * "request" faults (status, latency) apply when a request arrives; "lro" faults only when a long-running
   * operation starts, so a GET never uses up a fault meant for the next PUT.
   */
  take(method: string, path: string, kind: "request" | "lro" = "request"): FaultSpec | undefined {
    const fault = this.faults.find(
      (f) => (kind === "lro") === (f.spec.lro !== undefined) && matches(f.spec, method, path),
    );
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.hits >= (fault.spec.times ?? 1)) fault.remove();
    return fault.spec;
  }
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.pathIncludes && !path.toLowerCase().includes(spec.pathIncludes.toLowerCase())) return false;
  if (spec.pathRegex && !spec.pathRegex.test(path)) return false;
  return true;
}

const DEFAULT_ERRORS: Record<number, ServiceErrorBody["error"]> = {
  429: {
    code: "TooManyRequests",
    message:
      "The request is being throttled as the limit has been reached for operation type. Please retry after the time in the Retry-After header.",
  },
  500: { code: "InternalServerError", message: "An unexpected error occured while processing the request." },
  503: { code: "ServiceUnavailable", message: "The service is temporarily unavailable. Please retry later." },
};

export function defaultErrorBody(status: number): ServiceErrorBody {
  return { error: DEFAULT_ERRORS[status] ?? { code: `Http${status}`, message: `Injected HTTP ${status}.` } };
}
