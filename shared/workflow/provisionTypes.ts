// Inputs, outputs and naming of the provisioning workflow, shared by the API, the orchestrator and the activities.
import { createHash } from "node:crypto";
import { z } from "zod";
import { type SecretReference } from "../request/secretReference";
import { type CheckResult } from "../domain/checkResult";
import { type ReplicaTarget } from "../replica/replicaManager";
import { type ReplicationStatus } from "../replica/replicationStatus";
import { type LinkingMethod } from "../domain/gtidChecks";
import { type InitialLoadSpec, type LoadReport } from "../load/loadTypes";
import { type TableFilterState } from "../request/tableFilters";
import { type ReplicaSpec, type SourceSpec } from "../request/provisionRequest";

export type { TableFilterState } from "../request/tableFilters";

/** The provisioning id is derived from the replica server only, so one replica maps to one provisioning. */
export function linkIdFor(
  target: Pick<ReplicaTarget, "kind" | "subscriptionId" | "resourceGroup" | "serverName">,
): string {
  const key = [target.kind, target.subscriptionId, target.resourceGroup, target.serverName]
    .map((part) => part.toLowerCase())
    .join("|");
  return `rpl-${createHash("sha256").update(key).digest("hex").slice(0, 20)}`;
}

/** The request's parts as the workflow carries them: typed from the request schema, the one source of their shape. */
export type { ReplicaSpec, SourceSpec } from "../request/provisionRequest";

/** The replica's identity only: what an activity needs to reach it through Resource Manager. */
export function replicaTarget(replica: ReplicaTarget): ReplicaTarget {
  return {
    kind: replica.kind,
    subscriptionId: replica.subscriptionId,
    resourceGroup: replica.resourceGroup,
    serverName: replica.serverName,
  };
}

export interface ProvisionInput {
  id: string;
  source: SourceSpec;
  replica: ReplicaSpec;
  /** Omitted: chosen from the replica (GTID when a Flexible replica has high availability). */
  linking?: LinkingMethod;
  binlog?: { file: string; position: number };
  policy?: { skipErrors: { errno: number; maxSkips: number }[] };
  heartbeat?: { writerUser: string; writerPassword: SecretReference; database: string };
  /** Seed the replica from the source first, then link at the copy's snapshot (issue 18). */
  initialLoad?: InitialLoadSpec;
  /** Tables left out of replication: replicate-wild-ignore-table patterns, set on the replica before linking. */
  filters?: { ignoreTables: string[] };
  requestedAt: string;
}

/** A secret reference as an orchestration input carries it (the API has already checked it against the app's rules). */
export const secretReferenceInputSchema = z.union([
  z.object({ keyVaultSecret: z.string() }),
  z.object({ appSetting: z.string() }),
]);

/**
 * The start-and-verify timing knobs (ProvisionTiming) in an orchestration input. Inputs of runs started before the
 * checks read once still carry verifyWaitSeconds: an unknown key, dropped.
 */
export const timingInputSchema = z.object({
  verifyBudgetSeconds: z.number().positive(),
  verifyFirstIntervalSeconds: z.number().positive(),
});

export interface WorkflowError {
  code: string;
  message: string;
  remedy: string;
}

export type StepName =
  | "validating"
  | "openingFirewall"
  | "resettingGtid"
  | "loading"
  | "filteringTables"
  | "linking"
  | "starting"
  | "verifying"
  | "registering"
  | "rollingBack";

interface StepTiming {
  step: StepName;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export interface ReplicationSummary {
  ioThread: string;
  sqlThread: string;
  ioState: string;
  secondsBehindSource: number | null;
  lastIoError: { number: number; message: string } | null;
  lastSqlError: { number: number; message: string } | null;
  sourceLogFile: string | null;
  readSourceLogPos: number | null;
  execSourceLogPos: number | null;
}

const threadErrorSchema = z.object({ number: z.number(), message: z.string() }).nullable();
export const replicationSummarySchema: z.ZodType<ReplicationSummary> = z.object({
  ioThread: z.string(),
  sqlThread: z.string(),
  ioState: z.string(),
  secondsBehindSource: z.number().nullable(),
  lastIoError: threadErrorSchema,
  lastSqlError: threadErrorSchema,
  sourceLogFile: z.string().nullable(),
  readSourceLogPos: z.number().nullable(),
  execSourceLogPos: z.number().nullable(),
});
export function summariseReplication(status: ReplicationStatus): ReplicationSummary {
  return {
    ioThread: status.ioRunning,
    sqlThread: status.sqlRunning,
    ioState: status.ioState,
    secondsBehindSource: status.secondsBehind,
    lastIoError: status.lastIoErrno ? { number: status.lastIoErrno, message: status.lastIoError } : null,
    lastSqlError: status.lastSqlErrno ? { number: status.lastSqlErrno, message: status.lastSqlError } : null,
    sourceLogFile: status.sourceLogFile,
    readSourceLogPos: status.readSourceLogPos,
    execSourceLogPos: status.execSourceLogPos,
  };
}

export interface RollbackAction {
  action: "stopReplication" | "removeLink" | "deleteFirewallRule" | "restoreTableFilter";
  outcome: "done" | "notNeeded" | "failed";
  detail: string;
}

type ProvisionState = "replicating" | "failed";

export interface ProvisionReport {
  id: string;
  state: ProvisionState;
  rolledBack: boolean | null;
  checks: CheckResult[];
  replication: ReplicationSummary | null;
  error: WorkflowError | null;
  steps: StepTiming[];
  changes: string[];
  rollback: RollbackAction[];
  coordinates: { file: string; position: number } | null;
  firewallRule: { name: string; address: string; createdByThisRun: boolean } | null;
  /** How the replica is linked and why; null until the replica has been inspected. */
  linking: { method: LinkingMethod; chosenBy: "request" | "default" | "highAvailability" } | null;
  /** GTID links: the replica's GTID position the link resumed from. */
  gtidPosition: string | null;
  /** Flexible Server: the source's firewall must admit the replica; what this app could say about it. */
  sourceFirewall: { replicaOutboundAddress: string | null; instruction: string } | null;
  /** The initial load's outcome: databases, snapshot method and coordinates, counts and notes; absent without one. */
  initialLoad?: LoadReport | null;
  /** Set when the request has filters.ignoreTables, once the parameter has been set. */
  tableFilters: TableFilterState | null;
}

/**
 * What a running provisioning publishes: the step and its timings only, a few hundred bytes whatever the source. The
 * checks (whose messages list offending tables and can run to many KB) travel in the output: the Durable extension
 * fails an orchestration whose custom status is over 16 KB of UTF-16 JSON.
 */
export interface ProvisionCustomStatus {
  step: StepName;
  steps: StepTiming[];
  /** With an initial load: its size, then its outcome (tables, rows, bytes, rate); a few numbers. */
  load?: { tablesTotal: number; tablesDone: number; rows: number; bytes: number; rowsPerSecond: number };
}
