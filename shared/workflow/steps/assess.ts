// Step: validate the source and inspect the replica (in parallel, neither changes anything), compare them, plan a load.
import type * as df from "durable-functions";
import { ARM_RETRY, MYSQL_RETRY } from "../retryPolicies";
import { type ProvisionInput, replicaTarget } from "../provisionTypes";
import { compareServers, withLinkingChecks } from "../../domain/compareServers";
import { type LinkingChoice, chooseLinking } from "../../domain/linkingChoice";
import { type SourceValidation } from "../../source/sourceValidation";
import { sourceFirewallView } from "../../domain/firewall";
import {
  VALIDATE_SOURCE_ACTIVITY,
  type ValidateSourceInput,
  validateSourceResultSchema,
} from "../activities/validateSourceActivity";
import {
  INSPECT_REPLICA_ACTIVITY,
  type InspectReplicaInput,
  type ReplicaInspection,
  inspectReplicaResultSchema,
} from "../activities/inspectReplicaActivity";
import { PLAN_LOAD_ACTIVITY, type PlanLoadInput, planLoadResultSchema } from "../activities/planLoadActivity";
import { type LoadPlan } from "../../load/loadTypes";
import { type ServerIdentity } from "../../mysql/mysqlSession";
import { type LinkingMethod } from "../../domain/gtidChecks";
import { type CheckResult } from "../../domain/checkResult";
import { StepFailed, callActivities, callActivity, valueOf } from "./callActivity";
import { type ProvisionRun } from "./provisionRun";

/** What the later steps need from the assessment; the checks, linking and source firewall are in the report. */
export interface Assessment {
  fqdn: string;
  sourceIpv4: string;
  linking: LinkingMethod;
  sourceIdentity: ServerIdentity | null;
  inspection: ReplicaInspection;
  loadPlan: LoadPlan | null;
}

/**
 * Why a validated run cannot go on: failed checks, and facts the later steps need that no check covers (the replica's
 * FQDN from Resource Manager, the source's IPv4 for the firewall rule). null when nothing blocks.
 */
export function blockingReasons(
  checks: readonly CheckResult[],
  fqdn: string | null,
  sourceIpv4: string | null,
): { message: string; remedy: string } | null {
  const failedCodes = checks.filter((item) => item.status === "fail").map((item) => item.code);
  const parts: string[] = [];
  const remedies: string[] = [];
  if (failedCodes.length > 0) {
    parts.push(`${failedCodes.length} check(s) failed: ${failedCodes.join(", ")}.`);
    remedies.push("Fix each failed check (see checks[].remedy), then POST the same request again.");
  }
  if (!fqdn) {
    parts.push(
      "Resource Manager reports no fullyQualifiedDomainName for the replica, so it cannot be reached.",
    );
    remedies.push(
      "Wait until the server is fully created and Ready (its FQDN appears then), then try again.",
    );
  }
  if (!sourceIpv4) {
    parts.push("The source host has no IPv4 address to admit or to name.");
    remedies.push("Use a source host name with an IPv4 (A) record, or the source's IPv4 address.");
  }
  // Failed checks explain a missing fact already (a replica that does not exist has no FQDN either).
  if (failedCodes.length > 0) return { message: parts[0] ?? "", remedy: remedies[0] ?? "" };
  return parts.length > 0 ? { message: parts.join(" "), remedy: remedies.join(" ") } : null;
}

/** The rules the run and the dry run both apply to the two servers' facts: the linking method, and every check. */
export function judgeServers(
  request: Pick<ProvisionInput, "linking" | "source" | "replica">,
  validation: Omit<SourceValidation, "roundTrips">,
  inspection: ReplicaInspection,
): { linking: LinkingChoice; checks: CheckResult[] } {
  const resetGtidTo = request.replica.resetGtid?.gtidSet;
  // A reset of the GTID state asks for a GTID link, as an explicit linking: "gtid" does.
  const linking = chooseLinking(request.linking ?? (resetGtidTo ? "gtid" : undefined), inspection.server);
  const checks = [
    ...withLinkingChecks(validation.checks, validation.facts, linking.method),
    ...inspection.checks,
    ...compareServers(validation.facts, inspection, request.source, {
      linking: linking.method,
      outboundAddress: request.replica.outboundAddress,
      resetGtidTo,
    }),
  ];
  return { linking, checks };
}

export function* assess(run: ProvisionRun): Generator<df.Task, Assessment, unknown> {
  const { input, report } = run;
  run.begin("validating");
  const { validation, inspection } = yield* readBothServers(run);
  const { linking, checks } = judgeServers(input, validation, inspection);
  report.linking = linking;
  report.checks = checks;
  const fqdn = inspection.server?.fqdn ?? null;
  const sourceIpv4 = validation.facts.resolvedIpv4;
  run.fqdn = fqdn;
  run.sourceIpv4 = sourceIpv4;
  const loadPlan = input.initialLoad && fqdn ? yield* planLoad(run, fqdn, linking.method) : null;
  // Both kinds: the replica connects out to the source, whose firewall must admit it.
  report.sourceFirewall = sourceFirewallView(
    { ...inspection, kind: input.replica.kind },
    input.replica.outboundAddress,
  );
  const blocking = blockingReasons(report.checks, fqdn, sourceIpv4);
  // The second test only narrows the types: blockingReasons covers a missing FQDN or address.
  if (blocking || !fqdn || !sourceIpv4) {
    throw new StepFailed({
      code: "VALIDATION_FAILED",
      message: `${blocking?.message ?? ""} Nothing was changed.`.trim(),
      remedy: blocking?.remedy ?? "",
    });
  }
  return {
    fqdn,
    sourceIpv4,
    linking: linking.method,
    sourceIdentity: validation.facts.identity,
    inspection,
    loadPlan,
  };
}

/** The source validated and the replica inspected, in parallel; neither changes anything. */
function* readBothServers(
  run: ProvisionRun,
): Generator<
  df.Task,
  { validation: Omit<SourceValidation, "roundTrips">; inspection: ReplicaInspection },
  unknown
> {
  const { input } = run;
  // The method is final only once the replica's HA mode is known; a Flexible replica may end up with GTID, so its
  // source is read for GTID linking and GTID_MODE is re-judged for the chosen method below.
  const validateInput: ValidateSourceInput = {
    source: input.source,
    ...(input.filters ? { ignoreTables: input.filters.ignoreTables } : {}),
    ...(input.binlog ? { binlog: input.binlog } : {}),
    linking: input.linking ?? (input.replica.kind === "flexible" ? "gtid" : "binlogPosition"),
    replica: replicaTarget(input.replica),
  };
  const inspectInput: InspectReplicaInput = {
    replica: input.replica,
    firewallRuleName: run.ruleName,
    ...(input.linking ? { linking: input.linking } : {}),
    ...(input.filters ? { ignoreTables: input.filters.ignoreTables } : {}),
  };
  const [validated, inspected] = yield* callActivities(
    run.context,
    [
      {
        name: VALIDATE_SOURCE_ACTIVITY,
        policy: MYSQL_RETRY,
        input: validateInput,
        schema: validateSourceResultSchema,
      },
      {
        name: INSPECT_REPLICA_ACTIVITY,
        policy: ARM_RETRY,
        input: inspectInput,
        schema: inspectReplicaResultSchema,
      },
    ] as const,
    (reason) => ({
      code: "VALIDATION_UNAVAILABLE",
      message: `Validation could not complete after retries: ${reason}`,
      remedy: "Check that the source, the replica and Resource Manager are reachable, then try again.",
    }),
  );
  return { validation: valueOf(validated), inspection: valueOf(inspected) };
}

/** The load's own checks (privileges, databases, an empty replica) belong to validation: nothing changes before them. */
function* planLoad(
  run: ProvisionRun,
  fqdn: string,
  linking: LinkingMethod,
): Generator<df.Task, LoadPlan | null, unknown> {
  const { input, report } = run;
  if (!input.initialLoad) return null;
  const planInput: PlanLoadInput = {
    source: input.source,
    replica: input.replica,
    fqdn,
    initialLoad: input.initialLoad,
    linking,
  };
  const planned = yield* callActivity(
    run.context,
    { name: PLAN_LOAD_ACTIVITY, policy: MYSQL_RETRY, input: planInput, schema: planLoadResultSchema },
    (reason) => ({
      code: "VALIDATION_UNAVAILABLE",
      message: `The initial load's checks could not complete after retries: ${reason}`,
      remedy: "Check that the source and the replica are reachable, then try again.",
    }),
  );
  const { checks, plan } = valueOf(planned);
  report.checks.push(...checks);
  if (plan) {
    run.loadStatus = { tablesTotal: plan.tables, tablesDone: 0, rows: 0, bytes: 0, rowsPerSecond: 0 };
  }
  return plan;
}
