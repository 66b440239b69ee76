// One orchestration instance per id: the running runtime states, its status or null, "start unless running" for the API and the timers.
import type { InvocationContext } from "@azure/functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";

/** Runtime states in which an instance still holds its id: a new start would collide with it. */
export const RUNNING_RUNTIME_STATES: ReadonlySet<string> = new Set([
  "Running",
  "Pending",
  "ContinuedAsNew",
  "Suspended",
]);

export function isRunning(status: DurableOrchestrationStatus | null): status is DurableOrchestrationStatus {
  return status !== null && RUNNING_RUNTIME_STATES.has(status.runtimeStatus);
}

/** The instance's status, or null when the host has none (404); any other failure is thrown. */
export async function instanceStatus(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | null> {
  try {
    return await client.getStatus(instanceId, { showHistory: false, showInput: false });
  } catch (error) {
    const status = (error as { response?: { status?: number } }).response?.status;
    if (status === 404 || /404|not found/i.test((error as Error).message)) return null;
    throw error;
  }
}

export type SingletonStart = { started: true } | { started: false; running: DurableOrchestrationStatus };

/**
 * Starts `orchestrator` as `instanceId` unless an instance of that id is running. Checked before the start, and again
 * when the host refuses it (two callers raced): either way a running instance is reported, never overwritten.
 */
export async function startSingleton(
  client: DurableClient,
  orchestrator: string,
  instanceId: string,
  input: unknown,
): Promise<SingletonStart> {
  const before = await instanceStatus(client, instanceId);
  if (isRunning(before)) return { started: false, running: before };
  try {
    await client.startNew(orchestrator, { instanceId, input });
    return { started: true };
  } catch (error) {
    const now = await instanceStatus(client, instanceId);
    if (isRunning(now)) return { started: false, running: now };
    throw error;
  }
}

/**
 * A timer's pass: starts the singleton unless the previous pass still runs. A failure is logged and thrown, so the
 * Functions host records the invocation as failed.
 */
export async function startScheduledPass(
  client: DurableClient,
  context: InvocationContext,
  pass: { label: string; orchestrator: string; instanceId: string; input: () => unknown },
): Promise<void> {
  try {
    const outcome = await startSingleton(client, pass.orchestrator, pass.instanceId, pass.input());
    context.log(
      outcome.started
        ? `${pass.label} pass started`
        : `${pass.label} skipped: the previous pass is still running (${outcome.running.runtimeStatus})`,
    );
  } catch (error) {
    context.error(
      `${pass.label} pass not started: ${error instanceof Error ? error.message : String(error)}`,
    );
    throw error;
  }
}
