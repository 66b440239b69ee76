// Which orchestration of a link is running, if any: provisioning, teardown, rotation or cutover.
import type { DurableClient } from "durable-functions";
import { teardownInstanceId } from "../workflow/teardownOrchestrator";
import { LINK_OPERATIONS, operationInstanceId } from "../workflow/linkOperationTypes";
import { instanceStatus, isRunning } from "../workflow/singletonInstance";

/**
 * Used by every route that starts one, so a link has at most one operation at a time. Rotation and cutover also claim
 * the link in the registry under its ETag (state replicating -> rotating/cuttingOver), which closes the race between
 * two starts.
 */
export async function runningOperation(client: DurableClient, id: string): Promise<string | null> {
  const candidates: [string, string][] = [
    ["provisioning", id],
    ["teardown", teardownInstanceId(id)],
    ...LINK_OPERATIONS.map((operation): [string, string] => [operation, operationInstanceId(id, operation)]),
  ];
  const statuses = await Promise.all(candidates.map(([, instanceId]) => instanceStatus(client, instanceId)));
  const index = statuses.findIndex((status) => isRunning(status));
  return index >= 0 ? (candidates[index]?.[0] ?? null) : null;
}
