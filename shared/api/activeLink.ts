// The link a rotation or cutover acts on: registered, replicating, and with no other orchestration of it running.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { type LinkRecord } from "../registry/linkRegistry";
import { type LinkOperation } from "../workflow/linkOperationTypes";
import { type ApiDependencies } from "./apiDependencies";
import { operationUrl } from "./apiUrls";
import { errorResponse } from "./httpResults";
import { linkIdParam } from "./linkIdParam";
import { runningOperation } from "./runningOperation";

export async function activeLink(
  deps: ApiDependencies,
  request: HttpRequest,
  client: DurableClient,
  operation: LinkOperation,
): Promise<{ id: string; record: LinkRecord } | { response: HttpResponseInit }> {
  const param = linkIdParam(request);
  if ("response" in param) return param;
  const { id } = param;
  const record = await deps.workflow().registry.get(id);
  if (!record)
    return { response: errorResponse(404, "NotFound", `No registered replication with id ${id}.`) };
  const running = await runningOperation(client, id);
  if (running) {
    return {
      response: errorResponse(
        409,
        "OperationInProgress",
        `A ${running} of this link is running; one operation at a time.`,
        {
          id,
          operation: running,
          statusUrl: operationUrl(request, id, operation),
        },
      ),
    };
  }
  if (record.state !== "replicating") {
    return {
      response: errorResponse(
        409,
        "NotReplicating",
        `The link is ${record.state}; only a replicating link can be ${operation === "rotation" ? "rotated" : "cut over"}.`,
        { id },
      ),
    };
  }
  return { id, record };
}
