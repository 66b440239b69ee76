// The provisioning workflow: validate, check the replica, open its firewall (Single) or name the source's (Flexible), link, start and verify, register; undo on failure.
import type * as df from "durable-functions";
import { z } from "zod";
import {
  ARM_RETRY,
  LOAD_RETRY,
  MYSQL_RETRY,
  REGISTRY_RETRY,
  ROLLBACK_RETRY,
  START_POLL_MAX_INTERVAL_MS,
} from "./retryPolicies";
import {
  type ProvisionCustomStatus,
  type ProvisionInput,
  type ProvisionReport,
  type StepName,
  type StepTiming,
  type TableFilterState,
  type WorkflowError,
  replicaTarget,
} from "./provisionTypes";
import { decode } from "./decode";
import { compareServers, withLinkingChecks } from "./compareServers";
import { chooseLinking } from "../domain/linkingChoice";
import { firewallRuleNameFor, sourceFirewallInstruction, sourceFirewallView } from "../domain/firewall";
import {
  VALIDATE_SOURCE_ACTIVITY,
  type ValidateSourceInput,
  validateSourceResultSchema,
  type ValidateSourceResult,
} from "./activities/validateSourceActivity";
import {
  INSPECT_REPLICA_ACTIVITY,
  type InspectReplicaInput,
  inspectReplicaResultSchema,
  type InspectReplicaResult,
} from "./activities/inspectReplicaActivity";
import {
  OPEN_FIREWALL_ACTIVITY,
  type OpenFirewallInput,
  openFirewallResultSchema,
} from "./activities/openFirewallActivity";
import {
  LINK_REPLICA_ACTIVITY,
  type LinkReplicaInput,
  linkReplicaResultSchema,
} from "./activities/linkReplicaActivity";
import {
  CHECK_REPLICATION_ACTIVITY,
  type CheckReplicationInput,
  checkReplicationResultSchema,
  type CheckReplicationResult,
} from "./activities/checkReplicationActivity";
import { ROLLBACK_ACTIVITY, type RollbackInput, rollbackResultSchema } from "./activities/rollbackActivity";
import {
  RESET_GTID_ACTIVITY,
  type ResetGtidInput,
  resetGtidResultSchema,
} from "./activities/resetGtidActivity";
import { PLAN_LOAD_ACTIVITY, type PlanLoadInput, planLoadResultSchema } from "./activities/planLoadActivity";
import {
  COPY_SNAPSHOT_ACTIVITY,
  type CopySnapshotInput,
  copySnapshotResultSchema,
} from "./activities/copySnapshotActivity";
import { UNDO_LOAD_ACTIVITY, type UndoLoadInput, undoLoadResultSchema } from "./activities/undoLoadActivity";
import { type LoadPlan } from "../load/loadTypes";
import {
  SET_TABLE_FILTER_ACTIVITY,
  type SetTableFilterInput,
  setTableFilterResultSchema,
} from "./activities/tableFilterActivity";
import { IGNORE_TABLE_PARAMETER } from "../request/tableFilters";
import {
  RECORD_LINK_ACTIVITY,
  type RecordLinkInput,
  recordLinkResultSchema,
} from "./activities/recordLinkActivity";
import { type CheckResult } from "../source/checkResult";
import { diagnoseReplicationError } from "../errors/mysqlErrors";
import { type LinkRecord } from "../registry/linkRegistry";

export const PROVISION_ORCHESTRATOR = "provisionReplication";

/** Timing knobs the orchestrator needs; read by the HTTP starter from app settings and passed in the input. */
export interface ProvisionTiming {
  verifyBudgetSeconds: number;
  verifyFirstIntervalSeconds: number;
  verifyWaitSeconds: number;
}

export interface ProvisionOrchestrationInput extends ProvisionInput {
  timing: ProvisionTiming;
}

const secretReference = z.union([
  z.object({ keyVaultSecret: z.string() }),
  z.object({ appSetting: z.string() }),
]);
const inputSchema = z.object({
  id: z.string().min(1),
  requestedAt: z.string(),
  source: z.object({
    host: z.string(),
    port: z.number(),
    replicationUser: z.string(),
    replicationPassword: secretReference,
    caCertificate: z.string().optional(),
    inspectionUser: z.string().optional(),
    inspectionPassword: secretReference.optional(),
  }),
  replica: z.object({
    kind: z.enum(["single", "flexible"]),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    serverName: z.string(),
    adminUser: z.string(),
    adminPassword: secretReference,
    outboundAddress: z.string().optional(),
    resetGtid: z.object({ gtidSet: z.string().min(1) }).optional(),
  }),
  linking: z.enum(["binlogPosition", "gtid"]).optional(),
  binlog: z.object({ file: z.string(), position: z.number() }).optional(),
  policy: z.object({ skipErrors: z.array(z.object({ errno: z.number(), maxSkips: z.number() })) }).optional(),
  heartbeat: z
    .object({ writerUser: z.string(), writerPassword: secretReference, database: z.string() })
    .optional(),
  initialLoad: z
    .object({
      databases: z.union([z.literal("all"), z.array(z.string())]),
      parallelism: z.number().int().positive(),
      existingTables: z.enum(["refuse", "replace"]),
    })
    .optional(),
  filters: z.object({ ignoreTables: z.array(z.string()).min(1) }).optional(),
  timing: z.object({
    verifyBudgetSeconds: z.number().positive(),
    verifyFirstIntervalSeconds: z.number().positive(),
    verifyWaitSeconds: z.number().positive(),
  }),
});

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

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // The library joins Reason and Details (the stack) of a failed activity; the first line is the message.
  return text.split(" \n ")[0]?.trim() ?? text;
}

export function* provisionOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, ProvisionReport, unknown> {
  const parsed = inputSchema.safeParse(context.df.getInput());
  if (!parsed.success)
    throw new Error(
      `Invalid orchestration input: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`,
    );
  const input = parsed.data;
  const now = () => context.df.currentUtcDateTime;
  const steps: StepTiming[] = [];
  const progress: { current: { step: StepName; startedAt: Date } | null } = { current: null };
  const report: ProvisionReport = {
    id: input.id,
    state: "failed",
    rolledBack: null,
    checks: [],
    replication: null,
    error: null,
    steps,
    changes: [],
    rollback: [],
    coordinates: null,
    firewallRule: null,
    linking: null,
    gtidPosition: null,
    sourceFirewall: null,
    tableFilters: null,
  };

  let loadStatus: ProvisionCustomStatus["load"] | undefined;
  const publish = () => {
    const status: ProvisionCustomStatus = {
      step: progress.current?.step ?? "validating",
      steps,
      ...(loadStatus ? { load: loadStatus } : {}),
    };
    context.df.setCustomStatus(status);
  };
  const begin = (step: StepName) => {
    end();
    progress.current = { step, startedAt: now() };
    publish();
  };
  const end = () => {
    const current = progress.current;
    if (!current) return;
    const endedAt = now();
    steps.push({
      step: current.step,
      startedAt: current.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - current.startedAt.getTime(),
    });
    progress.current = null;
  };
  const currentStep = (): StepName | null => progress.current?.step ?? null;
  const log = (message: string) => {
    if (!context.df.isReplaying) context.log(`[${input.id}] ${message}`);
  };

  const ruleName = firewallRuleNameFor(input.id);
  let fqdn: string | null = null;
  let sourceIpv4: string | null = null;
  let firewallAttempted = false;
  let ruleExistedBefore = true;
  let linkAttempted = false;
  let loadPlan: LoadPlan | null = null;
  let loadAttempted = false;
  /** Set once the parameter change has been asked for: from then on a rollback puts the previous value back. */
  let tableFilter: TableFilterState | null = null;
  let firewallDirection: "replicaAdmitsSource" | "sourceAdmitsReplica" = "replicaAdmitsSource";

  const linkRecord = (state: LinkRecord["state"], error: WorkflowError | null): RecordLinkInput => ({
    at: now().toISOString(),
    record: {
      id: input.id,
      state,
      kind: input.replica.kind,
      subscriptionId: input.replica.subscriptionId,
      resourceGroup: input.replica.resourceGroup,
      serverName: input.replica.serverName,
      replicaFqdn: fqdn ?? "",
      adminUser: input.replica.adminUser,
      adminPassword: input.replica.adminPassword,
      sourceHost: input.source.host,
      sourcePort: input.source.port,
      sourceIpv4,
      replicationUser: input.source.replicationUser,
      replicationPassword: input.source.replicationPassword,
      caCertificate: input.source.caCertificate ?? null,
      inspectionUser: input.source.inspectionUser ?? null,
      inspectionPassword: input.source.inspectionPassword ?? null,
      firewallRuleName: firewallAttempted ? ruleName : null,
      firewallRuleCreatedByApp: firewallAttempted && !ruleExistedBefore,
      binlogFile: report.coordinates?.file ?? null,
      binlogPosition: report.coordinates?.position ?? null,
      linking: report.linking?.method ?? input.linking ?? "binlogPosition",
      outboundAddress: input.replica.outboundAddress ?? null,
      rolledBack: report.rolledBack,
      lastError: error ? `${error.code}: ${error.message}` : null,
      skipPolicy: input.policy?.skipErrors ?? [],
      skipCounts: {},
      heartbeat: input.heartbeat ?? null,
      tableFilters: tableFilter,
      lastHealth: null,
    },
  });

  /** Ends the run: undoes what this run changed, records the outcome, returns the report. */
  function* fail(error: WorkflowError): Generator<df.Task, ProvisionReport, unknown> {
    report.error = error;
    log(`failed: ${error.code}`);
    if (!firewallAttempted && !linkAttempted && !loadAttempted && !tableFilter) {
      end();
      // Nothing was changed, so there is nothing to roll back: null, not false ("a rollback failed").
      report.rolledBack = null;
      report.changes = [];
      yield* record("failed", report.error);
      publish();
      return report;
    }
    begin("rollingBack");
    if (!firewallAttempted && !linkAttempted) {
      yield* undoLoad();
      end();
      yield* record("failed", report.error);
      publish();
      return report;
    }
    const rollbackInput: RollbackInput = {
      replica: input.replica,
      fqdn,
      removeLink: linkAttempted,
      onlyIfSource: { host: input.source.host, port: input.source.port, user: input.source.replicationUser },
      deleteFirewallRule: firewallAttempted && !ruleExistedBefore ? ruleName : null,
      restoreTableFilter: tableFilter,
    };
    try {
      const result = decode(
        rollbackResultSchema,
        ROLLBACK_ACTIVITY,
        yield context.df.callActivityWithRetry(ROLLBACK_ACTIVITY, ROLLBACK_RETRY, rollbackInput),
      );
      report.rollback = result.actions;
      report.rolledBack = result.ok;
      if (!result.ok)
        report.error = { ...error, message: `${error.message} Rollback also failed: ${result.error}` };
    } catch (rollbackError) {
      report.rolledBack = false;
      report.error = {
        ...error,
        message: `${error.message} Rollback also failed: ${errorMessage(rollbackError)}`,
      };
    }
    // The link is gone (or never was) before the loaded data goes: nothing applies to tables being dropped.
    yield* undoLoad();
    end();
    yield* record("failed", report.error);
    publish();
    return report;
  }

  /** Drops what the initial load created; a failure here is a failed rollback, named in the error. */
  function* undoLoad(): Generator<df.Task, void, unknown> {
    if (!loadAttempted || !loadPlan || !fqdn) return;
    const undoInput: UndoLoadInput = {
      source: input.source,
      replica: input.replica,
      fqdn,
      plan: { databases: loadPlan.databases, preExisting: loadPlan.preExisting },
    };
    let problem: string | null = null;
    try {
      const result = decode(
        undoLoadResultSchema,
        UNDO_LOAD_ACTIVITY,
        yield context.df.callActivityWithRetry(UNDO_LOAD_ACTIVITY, ROLLBACK_RETRY, undoInput),
      );
      if (result.ok)
        report.changes.push(...result.actions.map((action) => `undid the initial load: ${action}`));
      else problem = result.error;
    } catch (undoError) {
      problem = errorMessage(undoError);
    }
    if (report.rolledBack === null) report.rolledBack = problem === null;
    else report.rolledBack = report.rolledBack && problem === null;
    if (problem && report.error)
      report.error = {
        ...report.error,
        message: `${report.error.message} Removing the initial load's data also failed: ${problem}`,
      };
  }

  /** Records the outcome in the registry; a failure to record a failure is logged, not raised over the real error. */
  function* record(state: "failed", error: WorkflowError | null): Generator<df.Task, void, unknown> {
    try {
      decode(
        recordLinkResultSchema,
        RECORD_LINK_ACTIVITY,
        yield context.df.callActivityWithRetry(
          RECORD_LINK_ACTIVITY,
          REGISTRY_RETRY,
          linkRecord(state, error),
        ),
      );
    } catch (recordError) {
      log(`recording the failure failed: ${errorMessage(recordError)}`);
    }
  }

  // 1. Validate the source and inspect the replica, in parallel: neither changes anything.
  begin("validating");
  let validation: ValidateSourceResult;
  let inspection: InspectReplicaResult;
  try {
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
      firewallRuleName: ruleName,
      ...(input.linking ? { linking: input.linking } : {}),
      ...(input.filters ? { ignoreTables: input.filters.ignoreTables } : {}),
    };
    const results = (yield context.df.Task.all([
      context.df.callActivityWithRetry(VALIDATE_SOURCE_ACTIVITY, MYSQL_RETRY, validateInput),
      context.df.callActivityWithRetry(INSPECT_REPLICA_ACTIVITY, ARM_RETRY, inspectInput),
    ])) as unknown[];
    validation = decode(validateSourceResultSchema, VALIDATE_SOURCE_ACTIVITY, results[0]);
    inspection = decode(inspectReplicaResultSchema, INSPECT_REPLICA_ACTIVITY, results[1]);
  } catch (error) {
    return yield* fail({
      code: "VALIDATION_UNAVAILABLE",
      message: `Validation could not complete after retries: ${errorMessage(error)}`,
      remedy: "Check that the source, the replica and Resource Manager are reachable, then try again.",
    });
  }
  if (!validation.ok) return yield* fail(validation.error);
  if (!inspection.ok) return yield* fail(inspection.error);
  const resetGtidTo = input.replica.resetGtid?.gtidSet;
  // A reset of the GTID state asks for a GTID link, as an explicit linking: "gtid" does.
  const linking = chooseLinking(input.linking ?? (resetGtidTo ? "gtid" : undefined), inspection.value.server);
  const sourceIdentity = validation.value.facts.identity;
  report.linking = linking;
  firewallDirection = inspection.value.firewallDirection;
  report.checks = [
    ...withLinkingChecks(validation.value.checks, validation.value.facts, linking.method),
    ...inspection.value.checks,
    ...compareServers(validation.value.facts, inspection.value, input.source, {
      linking: linking.method,
      outboundAddress: input.replica.outboundAddress,
      resetGtidTo,
    }),
  ];
  fqdn = inspection.value.server?.fqdn ?? null;
  sourceIpv4 = validation.value.facts.resolvedIpv4;
  if (input.initialLoad && fqdn) {
    // The load's own checks (privileges, databases, an empty replica) belong to validation: nothing changes before them.
    try {
      const planInput: PlanLoadInput = {
        source: input.source,
        replica: input.replica,
        fqdn,
        initialLoad: input.initialLoad,
        linking: linking.method,
      };
      const planned = decode(
        planLoadResultSchema,
        PLAN_LOAD_ACTIVITY,
        yield context.df.callActivityWithRetry(PLAN_LOAD_ACTIVITY, MYSQL_RETRY, planInput),
      );
      if (!planned.ok) return yield* fail(planned.error);
      report.checks.push(...planned.value.checks);
      loadPlan = planned.value.plan;
      if (loadPlan) {
        loadStatus = {
          tablesTotal: loadPlan.tables,
          tablesDone: 0,
          rows: 0,
          bytes: 0,
          rowsPerSecond: 0,
        };
      }
    } catch (error) {
      return yield* fail({
        code: "VALIDATION_UNAVAILABLE",
        message: `The initial load's checks could not complete after retries: ${errorMessage(error)}`,
        remedy: "Check that the source and the replica are reachable, then try again.",
      });
    }
  }
  ruleExistedBefore = inspection.value.firewallRule !== null;
  // Both kinds: the replica connects out to the source, whose firewall must admit it.
  report.sourceFirewall = sourceFirewallView(
    { ...inspection.value, kind: input.replica.kind },
    input.replica.outboundAddress,
  );
  const blocking = blockingReasons(report.checks, fqdn, sourceIpv4);
  // The second test only narrows the types: blockingReasons covers a missing FQDN or address.
  if (blocking || !fqdn || !sourceIpv4) {
    return yield* fail({
      code: "VALIDATION_FAILED",
      message: `${blocking?.message ?? ""} Nothing was changed.`.trim(),
      remedy: blocking?.remedy ?? "",
    });
  }

  // 2. Single Server: open the replica's firewall to the source's address. Flexible Server connects out to the source,
  // whose firewall this app cannot change: validation has shown the source reachable from here, the report names the
  // address to admit, and a refusal after start is diagnosed as the source's firewall (step 4).
  if (firewallDirection === "replicaAdmitsSource") {
    begin("openingFirewall");
    firewallAttempted = true;
    try {
      const firewallInput: OpenFirewallInput = { replica: input.replica, ruleName, ipv4: sourceIpv4 };
      const result = decode(
        openFirewallResultSchema,
        OPEN_FIREWALL_ACTIVITY,
        yield context.df.callActivityWithRetry(OPEN_FIREWALL_ACTIVITY, ARM_RETRY, firewallInput),
      );
      if (!result.ok) return yield* fail(result.error);
      report.firewallRule = { name: ruleName, address: sourceIpv4, createdByThisRun: !ruleExistedBefore };
      report.changes.push(
        `${ruleExistedBefore ? "updated" : "created"} firewall rule ${ruleName} for ${sourceIpv4}`,
      );
    } catch (error) {
      return yield* fail({
        code: "FIREWALL_RULE_FAILED",
        message: `Opening the firewall failed after retries: ${errorMessage(error)}`,
        remedy: "Check Resource Manager's availability and this app's permissions on the server.",
      });
    }
  }

  // 3a. Flexible Server, when the request opts in: the replica's GTID state set to the dump's, through Resource Manager.
  // Nothing undoes it (the previous state is gone, and so is the server's backup baseline): the report says so.
  if (resetGtidTo !== undefined && linking.method === "gtid") {
    begin("resettingGtid");
    try {
      const resetInput: ResetGtidInput = { replica: replicaTarget(input.replica), gtidSet: resetGtidTo };
      const result = decode(
        resetGtidResultSchema,
        RESET_GTID_ACTIVITY,
        yield context.df.callActivityWithRetry(RESET_GTID_ACTIVITY, ARM_RETRY, resetInput),
      );
      if (!result.ok) return yield* fail(result.error);
      report.changes.push(
        `reset the replica's GTID state to ${resetGtidTo} (resetGtid; the server's earlier backups are invalidated; not undone by a rollback)`,
      );
    } catch (error) {
      return yield* fail({
        code: "GTID_RESET_FAILED",
        message: `Resetting the replica's GTID state failed after retries: ${errorMessage(error)}`,
        remedy: "Check Resource Manager's availability and this app's permissions on the server.",
      });
    }
  }

  // 3b. Seed the replica: one copy at one snapshot, whose coordinates the link then starts from.
  let loadCoordinates: { file: string; position: number } | null = null;
  if (input.initialLoad && loadPlan) {
    begin("loading");
    loadAttempted = true;
    try {
      const copyInput: CopySnapshotInput = {
        id: input.id,
        source: input.source,
        replica: input.replica,
        fqdn,
        plan: loadPlan,
        parallelism: input.initialLoad.parallelism,
      };
      const copied = decode(
        copySnapshotResultSchema,
        COPY_SNAPSHOT_ACTIVITY,
        yield context.df.callActivityWithRetry(COPY_SNAPSHOT_ACTIVITY, LOAD_RETRY, copyInput),
      );
      if (!copied.ok) return yield* fail(copied.error);
      const load = copied.value;
      report.initialLoad = load;
      loadCoordinates = { file: load.coordinates.file, position: load.coordinates.position };
      loadStatus = {
        tablesTotal: load.stats.tables,
        tablesDone: load.stats.tables,
        rows: load.stats.rows,
        bytes: load.stats.bytes,
        rowsPerSecond: load.stats.rowsPerSecond,
      };
      report.changes.push(
        `loaded ${load.stats.tables} table(s), ${load.stats.rows} row(s) from ${load.databases.length} database(s) at ${load.coordinates.file}:${load.coordinates.position}`,
      );
    } catch (error) {
      return yield* fail({
        code: "LOAD_FAILED",
        message: `The initial load failed after retries: ${errorMessage(error)}`,
        remedy: "Check that the source and the replica stay reachable during the copy, then POST again.",
      });
    }
  }

  // 3c. Table filters: replicate_wild_ignore_table set through Resource Manager before the link exists, so no event of
  // a filtered table is ever applied. The previous value (read at inspection) is what a rollback puts back.
  const wantedFilter = inspection.value.tableFilter;
  if (input.filters && wantedFilter) {
    begin("filteringTables");
    tableFilter = {
      parameter: IGNORE_TABLE_PARAMETER,
      ignoreTables: input.filters.ignoreTables,
      value: wantedFilter.wantedValue,
      previousValue: wantedFilter.currentValue,
    };
    try {
      const filterInput: SetTableFilterInput = {
        replica: replicaTarget(input.replica),
        value: wantedFilter.wantedValue,
      };
      const result = decode(
        setTableFilterResultSchema,
        SET_TABLE_FILTER_ACTIVITY,
        yield context.df.callActivityWithRetry(SET_TABLE_FILTER_ACTIVITY, ARM_RETRY, filterInput),
      );
      if (!result.ok) return yield* fail(result.error);
      report.tableFilters = tableFilter;
      report.changes.push(
        `set ${IGNORE_TABLE_PARAMETER} to ${wantedFilter.wantedValue} (was ${wantedFilter.currentValue || "empty"}; put back on rollback, teardown and cutover)`,
      );
    } catch (error) {
      return yield* fail({
        code: "TABLE_FILTER_FAILED",
        message: `Setting ${IGNORE_TABLE_PARAMETER} failed after retries: ${errorMessage(error)}`,
        remedy: "Check Resource Manager's availability and this app's permissions on the server.",
      });
    }
  }

  // 5. Link the replica to the source.
  begin("linking");
  linkAttempted = true;
  try {
    const linkInput: LinkReplicaInput = {
      replica: input.replica,
      fqdn,
      source: input.source,
      ...(loadCoordinates
        ? { binlog: loadCoordinates }
        : input.binlog && linking.method === "binlogPosition"
          ? { binlog: input.binlog }
          : {}),
      linking: linking.method,
    };
    const result = decode(
      linkReplicaResultSchema,
      LINK_REPLICA_ACTIVITY,
      yield context.df.callActivityWithRetry(LINK_REPLICA_ACTIVITY, MYSQL_RETRY, linkInput),
    );
    if (!result.ok) {
      // A link owned by someone else was not ours to remove.
      if (result.error.code === "LINK_CONFLICT") linkAttempted = false;
      return yield* fail(result.error);
    }
    const { coordinates, gtidPosition, alreadyLinked } = result.value;
    report.coordinates = coordinates;
    report.gtidPosition = gtidPosition;
    report.changes.push(
      `${alreadyLinked ? "reused the existing link" : "linked the replica"} ${
        coordinates
          ? `at ${coordinates.file}:${coordinates.position}`
          : `by GTID from ${gtidPosition || "an empty GTID position"}`
      }`,
    );
  } catch (error) {
    return yield* fail({
      code: "LINK_FAILED",
      message: `Linking failed after retries: ${errorMessage(error)}`,
      remedy: "Check that the replica is reachable from this app.",
    });
  }

  /** A connection refused from a replica that connects out is, first of all, the source's firewall. */
  function diagnose(errno: number, message: string): WorkflowError {
    const diagnosis = diagnoseReplicationError(errno, message, sourceIdentity);
    if (errno !== 2003 || firewallDirection !== "sourceAdmitsReplica") return diagnosis;
    const address = input.replica.outboundAddress;
    return {
      code: "SOURCE_FIREWALL_BLOCKS_REPLICA",
      message: `The replica cannot connect to the source ${input.source.host}:${input.source.port} (error 2003): the source's firewall must admit ${address ?? "the replica's outbound address"}. ${diagnosis.message}`,
      remedy: sourceFirewallInstruction(fqdn, address),
    };
  }

  // 6. Start, then watch on durable timers until replication really runs or a permanent error shows.
  begin("starting");
  const deadline = now().getTime() + input.timing.verifyBudgetSeconds * 1000;
  let intervalMs = input.timing.verifyFirstIntervalSeconds * 1000;
  let start = true;
  for (;;) {
    let checked: CheckReplicationResult;
    try {
      const checkInput: CheckReplicationInput = {
        replica: input.replica,
        fqdn,
        start,
        waitSeconds: input.timing.verifyWaitSeconds,
      };
      checked = decode(
        checkReplicationResultSchema,
        CHECK_REPLICATION_ACTIVITY,
        yield context.df.callActivityWithRetry(CHECK_REPLICATION_ACTIVITY, MYSQL_RETRY, checkInput),
      );
    } catch (error) {
      return yield* fail({
        code: "START_FAILED",
        message: `Starting or watching replication failed after retries: ${errorMessage(error)}`,
        remedy: "Check that the replica is reachable from this app.",
      });
    }
    if (!checked.ok) return yield* fail(checked.error);
    start = false;
    const { verdict, replication } = checked.value;
    report.replication = replication;
    if (verdict.kind === "running") break;
    if (verdict.kind === "permanentError") {
      const diagnosis = diagnose(verdict.errno, verdict.message);
      return yield* fail({ code: diagnosis.code, message: diagnosis.message, remedy: diagnosis.remedy });
    }
    if (now().getTime() + intervalMs > deadline) {
      const detail = verdict.kind === "transientError" ? diagnose(verdict.errno, verdict.message) : null;
      return yield* fail({
        code: detail?.code ?? "START_TIMEOUT",
        message: `Replication did not reach a running state within ${input.timing.verifyBudgetSeconds} s: ${
          detail ? detail.message : "reason" in verdict ? verdict.reason : verdict.message
        }`,
        remedy: detail?.remedy ?? "Look at the replica's IO and SQL thread states in replication.",
      });
    }
    if (currentStep() !== "verifying") begin("verifying");
    yield context.df.createTimer(new Date(now().getTime() + intervalMs));
    intervalMs = Math.min(intervalMs * 2, START_POLL_MAX_INTERVAL_MS);
  }

  // 7. Register the link.
  begin("registering");
  try {
    decode(
      recordLinkResultSchema,
      RECORD_LINK_ACTIVITY,
      yield context.df.callActivityWithRetry(
        RECORD_LINK_ACTIVITY,
        REGISTRY_RETRY,
        linkRecord("replicating", null),
      ),
    );
  } catch (error) {
    return yield* fail({
      code: "REGISTRY_FAILED",
      message: `Recording the link failed after retries: ${errorMessage(error)}`,
      remedy: "Check the Functions storage account; the link was undone so a new run starts clean.",
    });
  }
  end();
  report.state = "replicating";
  publish();
  log("replicating");
  return report;
}
