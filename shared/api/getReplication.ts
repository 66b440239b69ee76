// GET /api/replications/{id}: the provisioning's status, the registry row, the teardown, recent health and load progress.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { teardownInstanceId } from "../workflow/teardownOrchestrator";
import { instanceStatus } from "../workflow/singletonInstance";
import { type ApiDependencies } from "./apiDependencies";
import { errorResponse, json } from "./httpResults";
import { linkIdParam } from "./linkIdParam";
import { replicationView } from "./replicationView";

const HEALTH_SHOWN = 5;

export function getReplication(deps: ApiDependencies) {
  return async (request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> => {
    const param = linkIdParam(request);
    if ("response" in param) return param.response;
    const { id } = param;
    const workflow = deps.workflow();
    const [status, record, teardown, health] = await Promise.all([
      instanceStatus(client, id),
      workflow.registry.get(id),
      instanceStatus(client, teardownInstanceId(id)),
      workflow.healthHistory.latest(id, HEALTH_SHOWN),
    ]);
    if (!status && !record) return errorResponse(404, "NotFound", `No replication with id ${id}.`);
    // While the copy runs its progress is in a small Table row (the copy is one activity; see loadProgressStore).
    const copying = (status?.customStatus as { step?: string } | null | undefined)?.step === "loading";
    const loadProgress = copying ? await workflow.loadProgress.read(id).catch(() => null) : null;
    return json(200, replicationView(id, status, record, { teardown, health, loadProgress }));
  };
}
