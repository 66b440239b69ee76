// DELETE /api/replications/{id}: start the teardown unless a provisioning or an operation of the link is running.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { TEARDOWN_ORCHESTRATOR, teardownInstanceId } from "../workflow/teardownOrchestrator";
import { instanceStatus, isRunning, startSingleton } from "../workflow/singletonInstance";
import { type ApiDependencies } from "./apiDependencies";
import { replicationUrl } from "./apiUrls";
import { errorResponse, json } from "./httpResults";
import { linkIdParam } from "./linkIdParam";
import { replicationView } from "./replicationView";
import { runningOperation } from "./runningOperation";

export function removeReplication(deps: ApiDependencies) {
  return async (request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> => {
    const param = linkIdParam(request);
    if ("response" in param) return param.response;
    const { id } = param;
    const statusUrl = replicationUrl(request, id);
    const [record, provisioning] = await Promise.all([
      deps.workflow().registry.get(id),
      instanceStatus(client, id),
    ]);
    if (!record && !provisioning) return errorResponse(404, "NotFound", `No replication with id ${id}.`);
    if (record?.state === "removed")
      return json(200, replicationView(id, null, record), { Location: statusUrl });
    if (!record || isRunning(provisioning)) {
      return errorResponse(
        409,
        "ProvisioningInProgress",
        "Wait for the running provisioning to finish, then delete.",
        { id, statusUrl },
      );
    }
    const operation = await runningOperation(client, id);
    if (operation === "rotation" || operation === "cutover") {
      return errorResponse(
        409,
        "OperationInProgress",
        `Wait for the running ${operation} to finish, then delete.`,
        {
          id,
          statusUrl,
        },
      );
    }
    // A teardown already running is this request's answer too: 202 either way.
    await startSingleton(client, TEARDOWN_ORCHESTRATOR, teardownInstanceId(id), id);
    return json(202, { id, statusUrl, state: "removing" }, { Location: statusUrl });
  };
}
