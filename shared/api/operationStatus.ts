// GET /api/replications/{id}/operations/{operation}: a rotation's or cutover's step, lag and report.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import {
  LINK_OPERATIONS,
  type LinkOperation,
  type OperationCustomStatus,
  operationInstanceId,
} from "../workflow/linkOperationTypes";
import { RUNNING_RUNTIME_STATES, instanceStatus } from "../workflow/singletonInstance";
import { errorResponse, json } from "./httpResults";
import { isLinkId } from "./linkIdParam";

function isLinkOperation(operation: string): operation is LinkOperation {
  return (LINK_OPERATIONS as readonly string[]).includes(operation);
}

export async function operationStatus(
  request: HttpRequest,
  client: DurableClient,
): Promise<HttpResponseInit> {
  const id = request.params.id ?? "";
  const operation = request.params.operation ?? "";
  if (!isLinkId(id) || !isLinkOperation(operation))
    return errorResponse(404, "NotFound", `No ${operation} of replication ${id}.`);
  const status = await instanceStatus(client, operationInstanceId(id, operation));
  if (!status) return errorResponse(404, "NotFound", `No ${operation} of replication ${id}.`);
  const custom = (status.customStatus ?? null) as OperationCustomStatus | null;
  return json(200, {
    id,
    operation,
    runtimeStatus: status.runtimeStatus,
    step: RUNNING_RUNTIME_STATES.has(status.runtimeStatus) ? (custom?.step ?? null) : null,
    steps: custom?.steps ?? [],
    lag: custom?.lag ?? null,
    report: status.output ?? null,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
  });
}
