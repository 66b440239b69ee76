// POST with dryRun: the provisioning's checks and the changes it would make, with the same activities and retries, changing nothing.
import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { type ProvisionRequest } from "../request/provisionRequest";
import { replicaTarget } from "../workflow/provisionTypes";
import { blockingReasons, judgeServers } from "../workflow/steps/assess";
import { createValidateSourceActivity } from "../workflow/activities/validateSourceActivity";
import { createInspectReplicaActivity } from "../workflow/activities/inspectReplicaActivity";
import { ARM_RETRY, MYSQL_RETRY } from "../workflow/retryPolicies";
import { RetriesExhaustedError, realSleep, runWithRetry } from "../workflow/runWithRetry";
import { firewallRuleNameFor } from "../domain/firewall";
import { type ApiDependencies } from "./apiDependencies";
import { errorResponse, json } from "./httpResults";
import { plannedProvisioning } from "./plannedProvisioning";

/** The first line of an error a retried activity threw; errors of unknown kind are not echoed to the caller. */
function transientMessage(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name !== "TransientActivityError" && name !== "SecretResolutionError") return "an unexpected error";
  return String((error as Error).message).split("\n")[0] ?? "";
}

/**
 * The same activities and the same retry policies as the orchestration's validating step: a throttled Resource
 * Manager or a restarting source is retried exactly as in a real run.
 */
function readBothServers(
  deps: ApiDependencies,
  request: ProvisionRequest,
  ruleName: string,
  context: InvocationContext,
) {
  const workflow = deps.workflow();
  const sleep = deps.sleep ?? realSleep;
  return Promise.all([
    runWithRetry(
      MYSQL_RETRY,
      () =>
        createValidateSourceActivity(() => workflow)(
          {
            source: request.source,
            ...(request.filters ? { ignoreTables: request.filters.ignoreTables } : {}),
            ...(request.binlog ? { binlog: request.binlog } : {}),
            linking: request.linking ?? (request.replica.kind === "flexible" ? "gtid" : "binlogPosition"),
            replica: replicaTarget(request.replica),
          },
          context,
        ),
      sleep,
    ),
    runWithRetry(
      ARM_RETRY,
      () =>
        createInspectReplicaActivity(() => workflow)(
          {
            replica: request.replica,
            firewallRuleName: ruleName,
            ...(request.linking ? { linking: request.linking } : {}),
            ...(request.filters ? { ignoreTables: request.filters.ignoreTables } : {}),
          },
          context,
        ),
      sleep,
    ),
  ]);
}

export async function dryRunProvisioning(
  deps: ApiDependencies,
  id: string,
  request: ProvisionRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const ruleName = firewallRuleNameFor(id);
  let servers: Awaited<ReturnType<typeof readBothServers>>;
  try {
    servers = await readBothServers(deps, request, ruleName, context);
  } catch (error) {
    if (!(error instanceof RetriesExhaustedError)) throw error;
    return errorResponse(
      503,
      "ValidationUnavailable",
      `The checks could not complete after ${error.attempts} attempts: ${transientMessage(error.lastError)}`,
      {
        remedy:
          "A service the checks need (the source, the replica, Resource Manager or Key Vault) failed transiently; try again after Retry-After seconds.",
      },
      { "Retry-After": String(error.retryAfterSeconds) },
    );
  }
  const [validation, inspection] = servers;
  if (!validation.ok)
    return errorResponse(422, validation.error.code, validation.error.message, {
      remedy: validation.error.remedy,
    });
  if (!inspection.ok)
    return errorResponse(422, inspection.error.code, inspection.error.message, {
      remedy: inspection.error.remedy,
    });
  const { linking, checks } = judgeServers(request, validation.value, inspection.value);
  const address = validation.value.facts.resolvedIpv4;
  return json(200, {
    id,
    dryRun: true,
    wouldSucceed: blockingReasons(checks, inspection.value.server?.fqdn || null, address) === null,
    checks,
    linking,
    plannedChanges: plannedProvisioning(request, inspection.value, {
      ruleName,
      method: linking.method,
      address,
      coordinates: request.binlog ?? validation.value.facts.currentCoordinates,
    }),
  });
}
