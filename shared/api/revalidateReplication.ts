// POST /api/replications/{id}/revalidate: re-validate one active link now, as the timer does for all of them.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { REVALIDATION_ORCHESTRATOR, type RevalidationInput } from "../workflow/revalidationOrchestrator";
import { startSingleton } from "../workflow/singletonInstance";
import { type ApiDependencies } from "./apiDependencies";
import { replicationUrl } from "./apiUrls";
import { errorResponse, json } from "./httpResults";
import { linkIdParam } from "./linkIdParam";

export function revalidateReplication(deps: ApiDependencies) {
  return async (request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> => {
    const param = linkIdParam(request);
    if ("response" in param) return param.response;
    const { id } = param;
    const record = await deps.workflow().registry.get(id);
    if (!record) return errorResponse(404, "NotFound", `No registered replication with id ${id}.`);
    if (record.state !== "replicating") {
      return errorResponse(
        409,
        "NotReplicating",
        `The replication is ${record.state}; only active links are re-validated.`,
        { id },
      );
    }
    const instanceId = `${id}-revalidation`;
    const input: RevalidationInput = { ids: [id], concurrency: 1 };
    if (!(await startSingleton(client, REVALIDATION_ORCHESTRATOR, instanceId, input)).started) {
      return errorResponse(
        409,
        "RevalidationInProgress",
        "A re-validation of this link is already running.",
        {
          id,
        },
      );
    }
    const statusUrl = replicationUrl(request, id);
    return json(202, { id, statusUrl, revalidationInstanceId: instanceId }, { Location: statusUrl });
  };
}
