// The public view of a provisioning: the orchestration's status and the registry row combined, as GET and POST answer it.
import type { DurableOrchestrationStatus } from "durable-functions";
import { type LoadProgress } from "../load/loadTypes";
import { type LinkRecord } from "../registry/linkRegistry";
import { type LinkHealth } from "../health/linkHealth";
import { type ProvisionCustomStatus, type ProvisionReport, replicaTarget } from "../workflow/provisionTypes";
import { RUNNING_RUNTIME_STATES } from "../workflow/singletonInstance";
import { singleServerSourceFirewallInstruction, sourceFirewallInstruction } from "../domain/firewall";

const HELD_OR_FINAL_STATES = new Set<string>(["rotating", "cuttingOver", "cutOver"]);

interface ViewExtras {
  teardown?: DurableOrchestrationStatus | null;
  health?: LinkHealth[];
  loadProgress?: LoadProgress | null;
}

/** The link's state as the caller sees it, from the registry row, the teardown and the provisioning's runtime status. */
function viewState(
  record: LinkRecord | null,
  runtimeStatus: string | null,
  teardownStatus: string | null,
  report: ProvisionReport | null,
  custom: ProvisionCustomStatus | null,
): string {
  if (record?.state === "removed") return "removed";
  // A rotation or cutover owns the link's state while it runs, and a cutover's outcome outlives the provisioning's.
  if (record && HELD_OR_FINAL_STATES.has(record.state)) return record.state;
  if (teardownStatus && RUNNING_RUNTIME_STATES.has(teardownStatus)) return "removing";
  if (runtimeStatus && RUNNING_RUNTIME_STATES.has(runtimeStatus)) return custom?.step ?? "validating";
  if (runtimeStatus === "Completed" && report) return report.state;
  if (runtimeStatus) return "failed";
  return record?.state ?? "failed";
}

function orchestrationError(runtimeStatus: string | null) {
  if (runtimeStatus !== "Failed" && runtimeStatus !== "Terminated") return null;
  const terminated = runtimeStatus === "Terminated";
  return {
    code: terminated ? "Terminated" : "OrchestrationFailed",
    message: terminated
      ? "The provisioning was terminated."
      : "The provisioning stopped on an internal error.",
    remedy: "POST the request again; a new run picks up where the replica is.",
  };
}

/** Which firewall must admit what, for a registered link whose run reported none (Flexible: the source's). */
function recordSourceFirewall(record: LinkRecord | null) {
  if (record?.replica.kind === "flexible") {
    const { outboundAddress } = record.replica;
    return {
      replicaOutboundAddress: outboundAddress ?? null,
      instruction: sourceFirewallInstruction(record.replicaFqdn || null, outboundAddress),
    };
  }
  if (record?.replica.kind === "single") {
    return { replicaOutboundAddress: null, instruction: singleServerSourceFirewallInstruction(null) };
  }
  return null;
}

function loadView(progress: LoadProgress | null | undefined, custom: ProvisionCustomStatus | null) {
  if (!progress) return custom?.load ?? null;
  const { tablesTotal, tablesDone, rows, bytes, rowsPerSecond } = progress;
  return { tablesTotal, tablesDone, rows, bytes, rowsPerSecond };
}

export function replicationView(
  id: string,
  status: DurableOrchestrationStatus | null,
  record: LinkRecord | null,
  extras: ViewExtras = {},
) {
  const report = (status?.output ?? null) as ProvisionReport | null;
  const custom = (status?.customStatus ?? null) as ProvisionCustomStatus | null;
  const runtimeStatus: string | null = status?.runtimeStatus ?? null;
  const teardownStatus: string | null = extras.teardown?.runtimeStatus ?? null;
  return {
    id,
    state: viewState(record, runtimeStatus, teardownStatus, report, custom),
    rolledBack: report?.rolledBack ?? record?.rolledBack ?? null,
    runtimeStatus,
    source: record
      ? {
          host: record.source.host,
          port: record.source.port,
          replicationUser: record.source.replicationUser,
        }
      : null,
    replica: record ? replicaTarget(record.replica) : null,
    // Checks come with the output, once the run ends (a failed check ends it at once); while it runs the list is
    // empty: the custom status carries the step only (see ProvisionCustomStatus).
    checks: report?.checks ?? [],
    replication: report?.replication ?? null,
    error:
      report?.error ??
      orchestrationError(runtimeStatus) ??
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
    sourceFirewall: report?.sourceFirewall ?? recordSourceFirewall(record),
    initialLoad: report?.initialLoad ?? null,
    load: loadView(extras.loadProgress, custom),
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
