// The HTTP API's logic: start, inspect and dry-run provisionings; the functions/ layer only wires it to triggers.
import { parseRequestBody } from "./parseRequestBody";
import { type LoadProgress } from "../load/loadTypes";
import { IGNORE_TABLE_PARAMETER } from "../request/tableFilters";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { type AppConfig, startVerifyTiming } from "../config/appConfig";
import { provisionRequestSchema, type ProvisionRequest } from "../request/provisionRequest";
import { errorResponse, json } from "./httpResults";
import { linkIdParam } from "./linkIdParam";
import {
  linkIdFor,
  replicaTarget,
  type ProvisionReport,
  type ProvisionCustomStatus,
} from "../workflow/provisionTypes";
import { PROVISION_ORCHESTRATOR, type ProvisionOrchestrationInput } from "../workflow/provisionOrchestrator";
import { blockingReasons, judgeServers } from "../workflow/steps/assess";
import { type WorkflowDependencies } from "../workflow/dependencies";
import { type LinkRecord } from "../registry/linkRegistry";
import {
  createValidateSourceActivity,
  type ValidateSourceResult,
} from "../workflow/activities/validateSourceActivity";
import {
  createInspectReplicaActivity,
  type InspectReplicaResult,
} from "../workflow/activities/inspectReplicaActivity";
import { ARM_RETRY, MYSQL_RETRY } from "../workflow/retryPolicies";
import { RetriesExhaustedError, realSleep, runWithRetry, type Sleep } from "../workflow/runWithRetry";
import {
  firewallRuleNameFor,
  singleServerSourceFirewallInstruction,
  sourceFirewallInstruction,
  sourceFirewallView,
} from "../domain/firewall";
import { type LinkSource, linkSourceOf, sameSource } from "../domain/linkIdentity";
import { TEARDOWN_ORCHESTRATOR, teardownInstanceId } from "../workflow/teardownOrchestrator";
import { REVALIDATION_ORCHESTRATOR, type RevalidationInput } from "../workflow/revalidationOrchestrator";
import { type LinkHealth } from "../health/linkHealth";
import { runningOperation } from "./linkOperationsApi";
import {
  RUNNING_RUNTIME_STATES,
  instanceStatus,
  isRunning,
  startSingleton,
} from "../workflow/singletonInstance";

const HELD_OR_FINAL_STATES = new Set<string>(["rotating", "cuttingOver", "cutOver"]);

export interface ReplicationsApiDependencies {
  config: () => AppConfig;
  workflow: () => WorkflowDependencies;
  /** How a dry run waits between retries; real time unless a test injects a clock. */
  sleep?: Sleep;
}

/** The first line of an error a retried activity threw; errors of unknown kind are not echoed to the caller. */
function transientMessage(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name !== "TransientActivityError" && name !== "SecretResolutionError") return "an unexpected error";
  return String((error as Error).message).split("\n")[0] ?? "";
}

function statusUrlFor(request: HttpRequest, id: string): string {
  const url = new URL(request.url);
  return `${url.origin}/api/replications/${encodeURIComponent(id)}`;
}

/** The registered link's source, as link identity compares it. */
function recordSource(record: LinkRecord): LinkSource {
  return { host: record.sourceHost, port: record.sourcePort, user: record.replicationUser };
}

/** The public view of a provisioning: orchestration status and registry row combined. */
function replicationView(
  id: string,
  status: DurableOrchestrationStatus | null,
  record: LinkRecord | null,
  extras: {
    teardown?: DurableOrchestrationStatus | null;
    health?: LinkHealth[];
    loadProgress?: LoadProgress | null;
  } = {},
) {
  const report = (status?.output ?? null) as ProvisionReport | null;
  const custom = (status?.customStatus ?? null) as ProvisionCustomStatus | null;
  const runtimeStatus: string | null = status?.runtimeStatus ?? null;
  let state: string;
  const teardownStatus: string | null = extras.teardown?.runtimeStatus ?? null;
  if (record?.state === "removed") state = "removed";
  // A rotation or cutover owns the link's state while it runs, and a cutover's outcome outlives the provisioning's.
  else if (record && HELD_OR_FINAL_STATES.has(record.state)) state = record.state;
  else if (teardownStatus && RUNNING_RUNTIME_STATES.has(teardownStatus)) state = "removing";
  else if (runtimeStatus && RUNNING_RUNTIME_STATES.has(runtimeStatus)) state = custom?.step ?? "validating";
  else if (runtimeStatus === "Completed" && report) state = report.state;
  else if (runtimeStatus) state = "failed";
  else state = record?.state ?? "failed";
  const orchestrationError =
    runtimeStatus === "Failed" || runtimeStatus === "Terminated"
      ? {
          code: runtimeStatus === "Terminated" ? "Terminated" : "OrchestrationFailed",
          message:
            runtimeStatus === "Terminated"
              ? "The provisioning was terminated."
              : "The provisioning stopped on an internal error.",
          remedy: "POST the request again; a new run picks up where the replica is.",
        }
      : null;
  return {
    id,
    state,
    rolledBack: report?.rolledBack ?? record?.rolledBack ?? null,
    runtimeStatus,
    source: record
      ? { host: record.sourceHost, port: record.sourcePort, replicationUser: record.replicationUser }
      : null,
    replica: record
      ? {
          kind: record.kind,
          subscriptionId: record.subscriptionId,
          resourceGroup: record.resourceGroup,
          serverName: record.serverName,
        }
      : null,
    // Checks come with the output, once the run ends (a failed check ends it at once); while it runs the list is
    // empty: the custom status carries the step only (see ProvisionCustomStatus).
    checks: report?.checks ?? [],
    replication: report?.replication ?? null,
    error:
      report?.error ??
      orchestrationError ??
      (record?.lastError ? { code: "LastError", message: record.lastError, remedy: "" } : null),
    steps: report?.steps ?? custom?.steps ?? [],
    changes: report?.changes ?? [],
    rollback: report?.rollback ?? [],
    coordinates:
      report?.coordinates ??
      (record?.binlogFile ? { file: record.binlogFile, position: record.binlogPosition } : null),
    firewallRule: report?.firewallRule ?? null,
    linking: report?.linking ?? (record ? { method: record.linking, chosenBy: null } : null),
    gtidPosition: report?.gtidPosition ?? null,
    tableFilters: report?.tableFilters ?? record?.tableFilters ?? null,
    sourceFirewall:
      report?.sourceFirewall ??
      (record?.kind === "flexible"
        ? {
            replicaOutboundAddress: record.outboundAddress,
            instruction: sourceFirewallInstruction(
              record.replicaFqdn || null,
              record.outboundAddress ?? undefined,
            ),
          }
        : record?.kind === "single"
          ? { replicaOutboundAddress: null, instruction: singleServerSourceFirewallInstruction(null) }
          : null),
    initialLoad: report?.initialLoad ?? null,
    load: extras.loadProgress
      ? {
          tablesTotal: extras.loadProgress.tablesTotal,
          tablesDone: extras.loadProgress.tablesDone,
          rows: extras.loadProgress.rows,
          bytes: extras.loadProgress.bytes,
          rowsPerSecond: extras.loadProgress.rowsPerSecond,
        }
      : (custom?.load ?? null),
    health: extras.health?.[0] ?? null,
    recentRecovery: (extras.health ?? []).flatMap((item) =>
      item.recovery.map((action) => ({ ...action, checkedAt: item.checkedAt })),
    ),
    teardown: extras.teardown
      ? { runtimeStatus: extras.teardown.runtimeStatus, output: extras.teardown.output ?? null }
      : null,
    createdTime: status?.createdTime ?? record?.createdAt ?? null,
    lastUpdatedTime: status?.lastUpdatedTime ?? record?.updatedAt ?? null,
  };
}

export function createReplicationsApi(deps: ReplicationsApiDependencies) {
  async function dryRun(
    id: string,
    request: ProvisionRequest,
    context: InvocationContext,
  ): Promise<HttpResponseInit> {
    const workflow = deps.workflow();
    const ruleName = firewallRuleNameFor(id);
    const sleep = deps.sleep ?? realSleep;
    // The same activities and the same retry policies as the orchestration's validating step: a throttled Resource
    // Manager or a restarting source is retried exactly as in a real run.
    let validation: ValidateSourceResult;
    let inspection: InspectReplicaResult;
    try {
      [validation, inspection] = await Promise.all([
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
    if (!validation.ok)
      return errorResponse(422, validation.error.code, validation.error.message, {
        remedy: validation.error.remedy,
      });
    if (!inspection.ok)
      return errorResponse(422, inspection.error.code, inspection.error.message, {
        remedy: inspection.error.remedy,
      });
    const resetGtidTo = request.replica.resetGtid?.gtidSet;
    const { linking, checks } = judgeServers(request, validation.value, inspection.value);
    const address = validation.value.facts.resolvedIpv4;
    const coordinates = request.binlog ?? validation.value.facts.currentCoordinates;
    const replicaAdmitsSource = inspection.value.firewallDirection === "replicaAdmitsSource";
    const sslCa = request.source.caCertificate ? "(the supplied CA certificate)" : "";
    const link =
      linking.method === "gtid"
        ? {
            procedure: "mysql.az_replication_change_master_with_gtid",
            arguments: {
              master_host: request.source.host,
              master_user: request.source.replicationUser,
              master_password: "********",
              master_port: request.source.port,
              master_ssl_ca: sslCa,
            },
          }
        : {
            procedure: "mysql.az_replication_change_master",
            arguments: {
              master_host: request.source.host,
              master_user: request.source.replicationUser,
              master_password: "********",
              master_port: request.source.port,
              master_log_file: coordinates?.file ?? "(current file at link time)",
              master_log_pos: coordinates?.position ?? "(current position at link time)",
              master_ssl_ca: sslCa,
            },
          };
    return json(200, {
      id,
      dryRun: true,
      wouldSucceed: blockingReasons(checks, inspection.value.server?.fqdn || null, address) === null,
      checks,
      linking,
      plannedChanges: {
        sourceFirewall: sourceFirewallView(
          { ...inspection.value, kind: request.replica.kind },
          request.replica.outboundAddress,
        ),
        firewallRule:
          address && replicaAdmitsSource
            ? {
                name: ruleName,
                startIpAddress: address,
                endIpAddress: address,
                action: inspection.value.firewallRule ? "update" : "create",
              }
            : null,
        gtidReset:
          resetGtidTo !== undefined && linking.method === "gtid"
            ? {
                action: `POST ${inspection.value.server ? `/subscriptions/${request.replica.subscriptionId}/resourceGroups/${request.replica.resourceGroup}/providers/Microsoft.DBforMySQL/flexibleServers/${request.replica.serverName}` : "(the replica)"}/resetGtid`,
                gtidSet: resetGtidTo,
                invalidatesBackups: true,
              }
            : null,
        tableFilter: inspection.value.tableFilter
          ? {
              parameter: IGNORE_TABLE_PARAMETER,
              value: inspection.value.tableFilter.wantedValue,
              previousValue: inspection.value.tableFilter.currentValue,
            }
          : null,
        link,
        start: "mysql.az_replication_start",
      },
    });
  }

  return {
    async start(
      request: HttpRequest,
      client: DurableClient,
      context: InvocationContext,
    ): Promise<HttpResponseInit> {
      const config = deps.config();
      const parsed = await parseRequestBody(request, provisionRequestSchema(config));
      if ("response" in parsed) return parsed.response;
      const body = parsed.body;
      const id = linkIdFor(body.replica);
      if (body.dryRun) return dryRun(id, body, context);

      const statusUrl = statusUrlFor(request, id);
      const existing = await instanceStatus(client, id);
      if (isRunning(existing)) {
        return errorResponse(
          409,
          "ProvisioningInProgress",
          "A provisioning for this replica is already running.",
          { id, statusUrl },
        );
      }
      const teardown = await instanceStatus(client, teardownInstanceId(id));
      if (isRunning(teardown)) {
        return errorResponse(
          409,
          "RemovalInProgress",
          "This replica's link is being removed; provision again when that ends.",
          {
            id,
            statusUrl,
          },
        );
      }
      const record = await deps.workflow().registry.get(id);
      const operation = await runningOperation(client, id);
      if (operation || record?.state === "rotating" || record?.state === "cuttingOver") {
        return errorResponse(
          409,
          "OperationInProgress",
          `A ${operation ?? (record?.state === "rotating" ? "rotation" : "cutover")} of this link is running; provision again when it ends.`,
          { id, statusUrl },
        );
      }
      if (record && record.state === "replicating") {
        if (sameSource(recordSource(record), linkSourceOf(body.source))) {
          return json(200, replicationView(id, existing, record), { Location: statusUrl });
        }
        return errorResponse(
          409,
          "ReplicaAlreadyLinked",
          `The replica is linked to ${record.replicationUser}@${record.sourceHost}:${record.sourcePort}; delete that link first (DELETE ${statusUrl}).`,
          { id, statusUrl },
        );
      }
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
        return errorResponse(
          409,
          "ProvisioningInProgress",
          "A provisioning for this replica is already running.",
          { id, statusUrl },
        );
      }
      context.log(`provisioning ${id} started for replica ${body.replica.serverName}`);
      return json(202, { id, statusUrl, state: "validating" }, { Location: statusUrl });
    },

    async get(request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> {
      const param = linkIdParam(request);
      if ("response" in param) return param.response;
      const { id } = param;
      const workflow = deps.workflow();
      const [status, record, teardown, health] = await Promise.all([
        instanceStatus(client, id),
        workflow.registry.get(id),
        instanceStatus(client, teardownInstanceId(id)),
        workflow.healthHistory.latest(id, 5),
      ]);
      if (!status && !record) return errorResponse(404, "NotFound", `No replication with id ${id}.`);
      // While the copy runs its progress is in a small Table row (the copy is one activity; see loadProgressStore).
      const copying = (status?.customStatus as { step?: string } | null | undefined)?.step === "loading";
      const loadProgress = copying ? await workflow.loadProgress.read(id).catch(() => null) : null;
      return json(200, replicationView(id, status, record, { teardown, health, loadProgress }));
    },

    async list(): Promise<HttpResponseInit> {
      const records = await deps.workflow().registry.list();
      records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      return json(200, {
        replications: records.map((record) => ({
          id: record.id,
          state: record.state,
          source: {
            host: record.sourceHost,
            port: record.sourcePort,
            replicationUser: record.replicationUser,
          },
          replica: { kind: record.kind, resourceGroup: record.resourceGroup, serverName: record.serverName },
          health: record.lastHealth,
          updatedTime: record.updatedAt,
        })),
      });
    },

    async remove(request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> {
      const param = linkIdParam(request);
      if ("response" in param) return param.response;
      const { id } = param;
      const statusUrl = statusUrlFor(request, id);
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
          {
            id,
            statusUrl,
          },
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
    },

    async revalidate(request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> {
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
          {
            id,
          },
        );
      }
      const instanceId = `${id}-revalidation`;
      const input: RevalidationInput = { ids: [id], concurrency: 1 };
      if (!(await startSingleton(client, REVALIDATION_ORCHESTRATOR, instanceId, input)).started) {
        return errorResponse(
          409,
          "RevalidationInProgress",
          "A re-validation of this link is already running.",
          { id },
        );
      }
      const statusUrl = statusUrlFor(request, id);
      return json(202, { id, statusUrl, revalidationInstanceId: instanceId }, { Location: statusUrl });
    },
  };
}
