// What the local host knows about one registered function, and the check that it can run it.
import { type CapturedFunction, type CoreBindingInfo, type CoreFunctionCallback } from "./functionsCoreShim";
import { NotSupportedByLocalHostError } from "./notSupportedError";

type SupportedTrigger = "httpTrigger" | "timerTrigger" | "orchestrationTrigger" | "activityTrigger";

export interface HostFunction {
  name: string;
  triggerType: SupportedTrigger;
  /** The trigger binding (for HTTP: route, methods, authLevel; for timers: schedule). */
  trigger: CoreBindingInfo & { name: string };
  extraInputs: (CoreBindingInfo & { name: string })[];
  extraOutputs: (CoreBindingInfo & { name: string })[];
  returnBinding: CoreBindingInfo | undefined;
  bindings: Record<string, CoreBindingInfo>;
  handler: CoreFunctionCallback;
}

const supportedTriggers = new Set<string>([
  "httpTrigger",
  "timerTrigger",
  "orchestrationTrigger",
  "activityTrigger",
]);
const supportedInputs = new Set<string>(["durableClient", "orchestrationClient"]);

/** Throws NotSupportedByLocalHostError for any trigger or binding the host cannot honour. */
export function toHostFunction(captured: CapturedFunction): HostFunction {
  const { name, bindings } = captured.metadata;
  let trigger: (CoreBindingInfo & { name: string }) | undefined;
  const extraInputs: (CoreBindingInfo & { name: string })[] = [];
  const extraOutputs: (CoreBindingInfo & { name: string })[] = [];
  let returnBinding: CoreBindingInfo | undefined;

  for (const [bindingName, binding] of Object.entries(bindings)) {
    const named = { ...binding, name: bindingName };
    const type = binding.type;
    if (binding.direction === "in" && type.toLowerCase().endsWith("trigger")) {
      if (!supportedTriggers.has(type)) {
        throw new NotSupportedByLocalHostError(
          `Trigger type "${type}" of function "${name}"`,
          "only httpTrigger, timerTrigger, orchestrationTrigger and activityTrigger run locally",
        );
      }
      trigger = named;
    } else if (binding.direction === "in") {
      if (!supportedInputs.has(type)) {
        throw new NotSupportedByLocalHostError(`Input binding "${type}" of function "${name}"`);
      }
      extraInputs.push(named);
    } else if (bindingName === "$return") {
      returnBinding = binding;
    } else {
      extraOutputs.push(named);
    }
  }
  if (!trigger) throw new Error(`Function "${name}" has no trigger binding.`);

  const triggerType = trigger.type as SupportedTrigger;
  // Only HTTP may have a return binding, and only of type http; any other output would be silently lost here.
  if (returnBinding && !(triggerType === "httpTrigger" && returnBinding.type === "http")) {
    throw new NotSupportedByLocalHostError(`Return binding "${returnBinding.type}" of function "${name}"`);
  }
  const firstOutput = extraOutputs[0];
  if (firstOutput) {
    throw new NotSupportedByLocalHostError(`Output binding "${firstOutput.type}" of function "${name}"`);
  }
  return {
    name,
    triggerType,
    trigger,
    extraInputs,
    extraOutputs,
    returnBinding,
    bindings,
    handler: captured.handler,
  };
}
