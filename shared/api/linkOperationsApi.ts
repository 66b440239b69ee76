// The HTTP API of a link's later life: rotation (PATCH), cutover (POST .../cutover) and their status, one operation per link at a time.
import { parseRequestBody } from "./parseRequestBody";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { type AppConfig, startVerifyTiming } from "../config/appConfig";
import { cutoverRequestSchema, rotationRequestSchema } from "../request/linkOperationRequests";
import { errorResponse, json } from "./httpResults";
import { isLinkId, linkIdParam } from "./linkIdParam";
import { type WorkflowDependencies } from "../workflow/dependencies";
import { type LinkRecord } from "../registry/linkRegistry";
import { teardownInstanceId } from "../workflow/teardownOrchestrator";
import {
  LINK_OPERATIONS,
  type LinkOperation,
  type OperationCustomStatus,
  operationInstanceId,
} from "../workflow/linkOperationTypes";
import { ROTATION_ORCHESTRATOR, type RotationInput, sourceSpecOf } from "../workflow/rotationOrchestrator";
import { CUTOVER_ORCHESTRATOR, type CutoverInput } from "../workflow/cutoverOrchestrator";
import { createCheckSourceLoginActivity } from "../workflow/activities/rotationActivities";
import { MYSQL_RETRY } from "../workflow/retryPolicies";
import { RetriesExhaustedError, realSleep, runWithRetry, type Sleep } from "../workflow/runWithRetry";
import {
  RUNNING_RUNTIME_STATES,
  instanceStatus,
  isRunning,
  startSingleton,
} from "../workflow/singletonInstance";

/** How often a cutover re-reads both sides while it waits (on durable timers). */
const CUTOVER_POLL_INTERVAL_SECONDS = 2;

export interface LinkOperationsApiDependencies {
  config: () => AppConfig;
  workflow: () => WorkflowDependencies;
  sleep?: Sleep;
}

function operationUrl(request: HttpRequest, id: string, operation: LinkOperation): string {
  return `${new URL(request.url).origin}/api/replications/${encodeURIComponent(id)}/operations/${operation}`;
}

/**
 * Which orchestration of this link is running, if any: provisioning, teardown, rotation or cutover. Used by every
 * route that starts one, so a link has at most one operation at a time. Rotation and cutover also claim the link in
 * the registry under its ETag (state replicating -> rotating/cuttingOver), which closes the race between two starts.
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

export function createLinkOperationsApi(deps: LinkOperationsApiDependencies) {
  async function loadActive(
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
          { id, operation: running, statusUrl: operationUrl(request, id, operation) },
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

  async function start(
    request: HttpRequest,
    client: DurableClient,
    id: string,
    operation: LinkOperation,
    name: string,
    input: RotationInput | CutoverInput,
  ): Promise<HttpResponseInit> {
    const instanceId = operationInstanceId(id, operation);
    const statusUrl = operationUrl(request, id, operation);
    if (!(await startSingleton(client, name, instanceId, input)).started) {
      return errorResponse(409, "OperationInProgress", `A ${operation} of this link is running.`, {
        id,
        operation,
        statusUrl,
      });
    }
    return json(202, { id, operation, instanceId, statusUrl }, { Location: statusUrl });
  }

  return {
    async rotate(
      request: HttpRequest,
      client: DurableClient,
      context: InvocationContext,
    ): Promise<HttpResponseInit> {
      const config = deps.config();
      const parsed = await parseRequestBody(request, rotationRequestSchema(config));
      if ("response" in parsed) return parsed.response;
      const body = parsed.body;
      const loaded = await loadActive(request, client, "rotation");
      if ("response" in loaded) return loaded.response;
      const { id, record } = loaded;
      if (body.dryRun) {
        // The same activity and retry policy as the orchestration's first step; nothing is changed.
        const source = {
          ...sourceSpecOf(record),
          ...(body.replicationPassword ? { replicationPassword: body.replicationPassword } : {}),
          ...(body.caCertificate ? { caCertificate: body.caCertificate } : {}),
        };
        try {
          const login = await runWithRetry(
            MYSQL_RETRY,
            () => createCheckSourceLoginActivity(deps.workflow)({ source }, context),
            deps.sleep ?? realSleep,
          );
          return json(200, {
            id,
            dryRun: true,
            wouldSucceed: login.ok,
            error: login.ok ? null : login.error,
            plannedChanges: [
              "mysql.az_replication_stop",
              record.linking === "gtid"
                ? "mysql.az_replication_change_master_with_gtid with the new values (auto-position)"
                : "mysql.az_replication_change_master with the new values at the applied position (Relay_Source_Log_File / Exec_Source_Log_Pos)",
              "mysql.az_replication_start, then verify; on failure the previous link is put back",
            ],
          });
        } catch (error) {
          if (!(error instanceof RetriesExhaustedError)) throw error;
          return errorResponse(
            503,
            "ValidationUnavailable",
            "The source could not be reached to try the new values.",
            {
              remedy: "Try again after Retry-After seconds.",
            },
            { "Retry-After": String(error.retryAfterSeconds) },
          );
        }
      }
      const input: RotationInput = {
        id,
        ...(body.replicationPassword ? { replicationPassword: body.replicationPassword } : {}),
        ...(body.caCertificate ? { caCertificate: body.caCertificate } : {}),
        timing: startVerifyTiming(config),
      };
      return start(request, client, id, "rotation", ROTATION_ORCHESTRATOR, input);
    },

    async cutover(request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> {
      const parsed = await parseRequestBody(request, cutoverRequestSchema);
      if ("response" in parsed) return parsed.response;
      const body = parsed.body;
      const loaded = await loadActive(request, client, "cutover");
      if ("response" in loaded) return loaded.response;
      const { id } = loaded;
      const input: CutoverInput = {
        id,
        requireSourceReadOnly: body.requireSourceReadOnly,
        catchUpTimeoutSeconds: body.catchUpTimeoutSeconds,
        maxLagSeconds: body.maxLagSeconds,
        pollIntervalSeconds: CUTOVER_POLL_INTERVAL_SECONDS,
        checksumTables: body.checksumTables,
      };
      if (body.dryRun) {
        return json(200, {
          id,
          dryRun: true,
          plannedChanges: [
            body.requireSourceReadOnly
              ? "check that the source is read-only (read_only or super_read_only)"
              : "take the caller's word that writes to the source have stopped",
            `wait up to ${body.catchUpTimeoutSeconds} s until the replica has applied everything the source wrote; refuse when over ${body.maxLagSeconds} s behind or broken`,
            ...(body.checksumTables.length
              ? [`compare CHECKSUM TABLE for ${body.checksumTables.join(", ")}`]
              : []),
            "mysql.az_replication_stop, mysql.az_replication_remove_master, delete the firewall rule this app created",
            "mark the link cutOver with the final coordinates",
          ],
        });
      }
      return start(request, client, id, "cutover", CUTOVER_ORCHESTRATOR, input);
    },

    async status(request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> {
      const id = request.params.id ?? "";
      const operation = request.params.operation ?? "";
      if (!isLinkId(id) || !(LINK_OPERATIONS as readonly string[]).includes(operation))
        return errorResponse(404, "NotFound", `No ${operation} of replication ${id}.`);
      const status = await instanceStatus(client, operationInstanceId(id, operation as LinkOperation));
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
    },
  };
}
