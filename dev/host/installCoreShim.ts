// Makes `require("@azure/functions-core")` resolve to the local host's shim in plain Node, as the Functions worker does.
import Module from "node:module";
import * as shim from "./functionsCoreShim";

type LoadFunction = (request: string, parent: unknown, isMain: boolean) => unknown;

let installed = false;

/**
 * Must run before the first `require("@azure/functions")` registration: that package resolves the core module once
 * and, if it is missing, drops every registration for the rest of the process ("test mode").
 * Under Jest this hook is bypassed by Jest's own module registry; jest.config.js maps the name instead.
 */
export function installCoreShim(): void {
  if (installed) return;
  const moduleWithLoad = Module as unknown as { _load: LoadFunction };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function (
    this: unknown,
    request: string,
    parent: unknown,
    isMain: boolean,
  ): unknown {
    if (request === "@azure/functions-core") return shim;
    return originalLoad.call(this, request, parent, isMain);
  };
  installed = true;
}
