// PATCH /api/replications/{id}: rotate the replication password or CA (or dry-run trying them on the source).
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { startVerifyTiming } from "../config/appConfig";
import { type LinkRecord } from "../registry/linkRegistry";
import { type z } from "zod";
import { rotationRequestSchema } from "../request/linkOperationRequests";
import { rotatedSource } from "../workflow/steps/rotationValues";
import { ROTATION_ORCHESTRATOR, type RotationInput } from "../workflow/rotationOrchestrator";
import { createCheckSourceLoginActivity } from "../workflow/activities/rotationActivities";
import { MYSQL_RETRY } from "../workflow/retryPolicies";
import { RetriesExhaustedError, realSleep, runWithRetry } from "../workflow/runWithRetry";
import { activeLink } from "./activeLink";
import { type ApiDependencies } from "./apiDependencies";
import { errorResponse, json } from "./httpResults";
import { parseRequestBody } from "./parseRequestBody";
import { startLinkOperation } from "./startLinkOperation";

/** The same activity and retry policy as the orchestration's first step; nothing is changed. */
async function dryRunRotation(
  deps: ApiDependencies,
  id: string,
  record: LinkRecord,
  body: z.infer<ReturnType<typeof rotationRequestSchema>>,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const source = rotatedSource(record.source, body);
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
      { remedy: "Try again after Retry-After seconds." },
      { "Retry-After": String(error.retryAfterSeconds) },
    );
  }
}

export function rotateLink(deps: ApiDependencies) {
  return async (
    request: HttpRequest,
    client: DurableClient,
    context: InvocationContext,
  ): Promise<HttpResponseInit> => {
    const config = deps.config();
    const parsed = await parseRequestBody(request, rotationRequestSchema(config));
    if ("response" in parsed) return parsed.response;
    const body = parsed.body;
    const loaded = await activeLink(deps, request, client, "rotation");
    if ("response" in loaded) return loaded.response;
    const { id, record } = loaded;
    if (body.dryRun) return dryRunRotation(deps, id, record, body, context);
    const input: RotationInput = {
      id,
      ...(body.replicationPassword ? { replicationPassword: body.replicationPassword } : {}),
      ...(body.caCertificate ? { caCertificate: body.caCertificate } : {}),
      timing: startVerifyTiming(config),
    };
    return startLinkOperation(request, client, id, "rotation", ROTATION_ORCHESTRATOR, input);
  };
}
