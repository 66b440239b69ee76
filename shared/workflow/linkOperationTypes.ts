// What rotation, cutover and teardown share: instance ids, the report shape, the running custom status, the link's specs.
import type * as df from "durable-functions";
import {
  type ReplicaSpec,
  type ReplicationSummary,
  type SourceSpec,
  type WorkflowError,
} from "./provisionTypes";
import { type CheckResult } from "../source/checkResult";
import { type LinkRecord } from "../registry/linkRegistry";

export type LinkOperation = "rotation" | "cutover";

export const LINK_OPERATIONS: readonly LinkOperation[] = ["rotation", "cutover"];

/** One instance per link and operation: the host refuses a second start of a running one. */
export function operationInstanceId(linkId: string, operation: LinkOperation): string {
  return `${linkId}-${operation}`;
}

interface OperationStep {
  step: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export interface OperationReport {
  id: string;
  operation: LinkOperation;
  /** succeeded: done; failed: stopped on an error (see rolledBack); refused: nothing was attempted. */
  outcome: "succeeded" | "failed" | "refused";
  /** true: what this run changed was undone; false: undoing failed; null: nothing had been changed. */
  rolledBack: boolean | null;
  checks: CheckResult[];
  steps: OperationStep[];
  changes: string[];
  rollback: string[];
  error: WorkflowError | null;
  replication: ReplicationSummary | null;
  /** Rotation: the position the new link resumed from; cutover: the final applied position. */
  coordinates: { file: string; position: number } | null;
  gtidExecuted: string | null;
  /** Cutover: lag seen while waiting, newest last (bounded). */
  lag: { at: string; behindBytes: number | null; secondsBehindSource: number | null }[];
  /** Cutover: per-table checksums compared. */
  checksums: { table: string; source: string | null; replica: string | null; equal: boolean }[];
  /** What the caller must do next. */
  nextSteps: string[];
}

export interface OperationCustomStatus {
  operation: LinkOperation;
  step: string;
  steps: OperationStep[];
  /** Cutover: the latest lag while waiting for the replica to catch up. */
  lag?: OperationReport["lag"][number];
}

export function emptyReport(id: string, operation: LinkOperation): OperationReport {
  return {
    id,
    operation,
    outcome: "failed",
    rolledBack: null,
    checks: [],
    steps: [],
    changes: [],
    rollback: [],
    error: null,
    replication: null,
    coordinates: null,
    gtidExecuted: null,
    lag: [],
    checksums: [],
    nextSteps: [],
  };
}

/** Step timings from the orchestration clock only, published as the custom status (a few hundred bytes). */
export function stepRecorder(context: df.OrchestrationContext, report: OperationReport) {
  let current: { step: string; startedAt: Date } | null = null;
  let lag: OperationReport["lag"][number] | undefined;
  const publish = () => {
    const status: OperationCustomStatus = {
      operation: report.operation,
      step: current?.step ?? "done",
      steps: report.steps,
      ...(lag ? { lag } : {}),
    };
    context.df.setCustomStatus(status);
  };
  const end = () => {
    if (!current) return;
    const endedAt = context.df.currentUtcDateTime;
    report.steps.push({
      step: current.step,
      startedAt: current.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - current.startedAt.getTime(),
    });
    current = null;
    publish();
  };
  return {
    begin(step: string) {
      end();
      current = { step, startedAt: context.df.currentUtcDateTime };
      publish();
    },
    end,
    lag(value: OperationReport["lag"][number]) {
      lag = value;
      publish();
    },
  };
}

/** The first line of a failed activity's error (the library appends the stack after " \n "). */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split(" \n ")[0]?.trim() ?? text;
}

/** The replica as a registered link reaches it (references only). */
export function replicaSpecOf(record: LinkRecord): ReplicaSpec {
  return {
    kind: record.kind,
    subscriptionId: record.subscriptionId,
    resourceGroup: record.resourceGroup,
    serverName: record.serverName,
    adminUser: record.adminUser,
    adminPassword: record.adminPassword,
  };
}

/** The source as a registered link reaches it (references only). */
export function sourceSpecOf(record: LinkRecord): SourceSpec {
  return {
    host: record.sourceHost,
    port: record.sourcePort,
    replicationUser: record.replicationUser,
    replicationPassword: record.replicationPassword,
    ...(record.caCertificate ? { caCertificate: record.caCertificate } : {}),
    ...(record.inspectionUser ? { inspectionUser: record.inspectionUser } : {}),
    ...(record.inspectionPassword ? { inspectionPassword: record.inspectionPassword } : {}),
  };
}
