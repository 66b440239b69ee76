// Fake `@azure/functions-core`: the module the Functions worker normally injects, here capturing registrations for the local host.
// @azure/functions requires this module lazily on its first registration and caches the result, so it must be
// resolvable (Jest moduleNameMapper, or installCoreShim() in plain Node) before any function module loads.

/** A binding as @azure/functions' toCoreFunctionMetadata produces it: the option object plus `direction`. */
export interface CoreBindingInfo {
  type: string;
  direction: "in" | "out" | "inout";
  name?: string;
  [key: string]: unknown;
}

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBindingInfo>;
  retryOptions?: unknown;
}

export type CoreFunctionCallback = (...args: unknown[]) => unknown;

export interface CapturedFunction {
  metadata: CoreFunctionMetadata;
  handler: CoreFunctionCallback;
}

export interface CapturedHook {
  hookName: string;
  callback: (...args: unknown[]) => unknown;
}

export type CoreLogSink = (level: string, category: string, message: string) => void;

/** Mirrors the worker's Disposable: `from` combines, `dispose` runs the callback once. */
export class Disposable {
  #callOnDispose: (() => unknown) | undefined;

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  static from(...inDisposables: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const d of inDisposables) d.dispose();
    });
  }

  dispose(): unknown {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return fn?.();
  }
}

// Versions of the worker/host this shim stands in for; @azure/functions only checks that `log` exists.
export const version = "3.10.1";
export const hostVersion = "4.1037.1.1";

const functions: CapturedFunction[] = [];
const hooks: CapturedHook[] = [];
let programmingModel: unknown;
let logSink: CoreLogSink = (level, category, message) => {
  if (level === "error" || level === "critical" || level === "warning") {
    console.warn(`[functions-core ${category}] ${message}`);
  }
};

export function registerFunction(metadata: CoreFunctionMetadata, callback: CoreFunctionCallback): Disposable {
  // The real worker rejects duplicates the same way; silently keeping two would hide a wiring bug.
  if (functions.some((f) => f.metadata.name.toLowerCase() === metadata.name.toLowerCase())) {
    throw new Error(`A function with name "${metadata.name}" has already been registered.`);
  }
  const entry: CapturedFunction = { metadata, handler: callback };
  functions.push(entry);
  return new Disposable(() => {
    const i = functions.indexOf(entry);
    if (i >= 0) functions.splice(i, 1);
  });
}

export function registerHook(hookName: string, callback: (...args: unknown[]) => unknown): Disposable {
  const entry: CapturedHook = { hookName, callback };
  hooks.push(entry);
  return new Disposable(() => {
    const i = hooks.indexOf(entry);
    if (i >= 0) hooks.splice(i, 1);
  });
}

export function setProgrammingModel(model: unknown): void {
  programmingModel = model;
}

export function getProgrammingModel(): unknown {
  return programmingModel;
}

export function log(level: string, category: string, message: string): void {
  logSink(level, category, message);
}

/** Host side: everything captured so far in this module registry. */
export function capturedFunctions(): readonly CapturedFunction[] {
  return functions;
}

export function capturedHooks(): readonly CapturedHook[] {
  return hooks;
}

export function setCoreLogSink(sink: CoreLogSink): void {
  logSink = sink;
}

/** True once @azure/functions has talked to this shim, i.e. it did not fall back to test mode. */
export function programmingModelWasSet(): boolean {
  return programmingModel !== undefined;
}
