// POST /api/replications: start the provisioning of a replica, unless something else holds it (409) or it is already linked.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { startVerifyTiming } from "../config/appConfig";
import { type ProvisionRequest, provisionRequestSchema } from "../request/provisionRequest";
import { type LinkRecord } from "../registry/linkRegistry";
import { linkIdFor } from "../workflow/provisionTypes";
import { PROVISION_ORCHESTRATOR, type ProvisionOrchestrationInput } from "../workflow/provisionOrchestrator";
import { teardownInstanceId } from "../workflow/teardownOrchestrator";
import { instanceStatus, isRunning, startSingleton } from "../workflow/singletonInstance";
import { linkSourceOf, sameSource } from "../domain/linkIdentity";
import { type ApiDependencies } from "./apiDependencies";
import { replicationUrl } from "./apiUrls";
import { dryRunProvisioning } from "./dryRunProvisioning";
import { errorResponse, json } from "./httpResults";
import { parseRequestBody } from "./parseRequestBody";
import { replicationView } from "./replicationView";
import { runningOperation } from "./runningOperation";

const PROVISIONING_IN_PROGRESS = "A provisioning for this replica is already running.";

/** The answer when this replica's link is held or already made; null when a provisioning may start. */
async function provisioningConflict(
  client: DurableClient,
  id: string,
  statusUrl: string,
  existing: DurableOrchestrationStatus | null,
  record: LinkRecord | null,
  body: ProvisionRequest,
): Promise<HttpResponseInit | null> {
  if (isRunning(existing)) {
    return errorResponse(409, "ProvisioningInProgress", PROVISIONING_IN_PROGRESS, { id, statusUrl });
  }
  if (isRunning(await instanceStatus(client, teardownInstanceId(id)))) {
    return errorResponse(
      409,
      "RemovalInProgress",
      "This replica's link is being removed; provision again when that ends.",
      { id, statusUrl },
    );
  }
  const operation = await runningOperation(client, id);
  if (operation || record?.state === "rotating" || record?.state === "cuttingOver") {
    return errorResponse(
      409,
      "OperationInProgress",
      `A ${operation ?? (record?.state === "rotating" ? "rotation" : "cutover")} of this link is running; provision again when it ends.`,
      { id, statusUrl },
    );
  }
  if (record?.state !== "replicating") return null;
  if (sameSource(linkSourceOf(record.source), linkSourceOf(body.source))) {
    return json(200, replicationView(id, existing, record), { Location: statusUrl });
  }
  return errorResponse(
    409,
    "ReplicaAlreadyLinked",
    `The replica is linked to ${record.source.replicationUser}@${record.source.host}:${record.source.port}; delete that link first (DELETE ${statusUrl}).`,
    { id, statusUrl },
  );
}

export function startProvisioning(deps: ApiDependencies) {
  return async (
    request: HttpRequest,
    client: DurableClient,
    context: InvocationContext,
  ): Promise<HttpResponseInit> => {
    const config = deps.config();
    const parsed = await parseRequestBody(request, provisionRequestSchema(config));
    if ("response" in parsed) return parsed.response;
    const body = parsed.body;
    const id = linkIdFor(body.replica);
    if (body.dryRun) return dryRunProvisioning(deps, id, body, context);

    const statusUrl = replicationUrl(request, id);
    const existing = await instanceStatus(client, id);
    const record = isRunning(existing) ? null : await deps.workflow().registry.get(id);
    const conflict = await provisioningConflict(client, id, statusUrl, existing, record, body);
    if (conflict) return conflict;
    const input: ProvisionOrchestrationInput = {
      id,
      source: body.source,
      replica: body.replica,
      ...(body.linking ? { linking: body.linking } : {}),
      ...(body.binlog ? { binlog: body.binlog } : {}),
      ...(body.policy ? { policy: body.policy } : {}),
      ...(body.heartbeat ? { heartbeat: body.heartbeat } : {}),
      ...(body.initialLoad ? { initialLoad: body.initialLoad } : {}),
      ...(body.filters ? { filters: body.filters } : {}),
      requestedAt: new Date().toISOString(),
      timing: startVerifyTiming(config),
    };
    if (record && record.state !== "provisioning") {
      // The registry follows the lifecycle: a new run supersedes a removed or failed one. Written before the
      // start so the run's own outcome, recorded later, is never overwritten by this.
      await deps
        .workflow()
        .registry.upsert({ ...record, state: "provisioning", updatedAt: new Date().toISOString() });
    }
    // Two POSTs may race past the check above: the second finds the first's instance running.
    if (!(await startSingleton(client, PROVISION_ORCHESTRATOR, id, input)).started) {
      return errorResponse(409, "ProvisioningInProgress", PROVISIONING_IN_PROGRESS, { id, statusUrl });
    }
    context.log(`provisioning ${id} started for replica ${body.replica.serverName}`);
    return json(202, { id, statusUrl, state: "validating" }, { Location: statusUrl });
  };
}
