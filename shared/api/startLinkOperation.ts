// Starts a link's rotation or cutover as its one instance, or answers 409 when that instance is already running.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { type LinkOperation, operationInstanceId } from "../workflow/linkOperationTypes";
import { startSingleton } from "../workflow/singletonInstance";
import { operationUrl } from "./apiUrls";
import { errorResponse, json } from "./httpResults";

export async function startLinkOperation(
  request: HttpRequest,
  client: DurableClient,
  id: string,
  operation: LinkOperation,
  orchestrator: string,
  input: unknown,
): Promise<HttpResponseInit> {
  const instanceId = operationInstanceId(id, operation);
  const statusUrl = operationUrl(request, id, operation);
  if (!(await startSingleton(client, orchestrator, instanceId, input)).started) {
    return errorResponse(409, "OperationInProgress", `A ${operation} of this link is running.`, {
      id,
      operation,
      statusUrl,
    });
  }
  return json(202, { id, operation, instanceId, statusUrl }, { Location: statusUrl });
}
