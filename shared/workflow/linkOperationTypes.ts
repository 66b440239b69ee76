// What rotation, cutover and teardown share: instance ids, the report shape, the running custom status, the link's specs.
import {
  type ReplicaSpec,
  type ReplicationSummary,
  type SourceSpec,
  type WorkflowError,
} from "./provisionTypes";
import { type CheckResult } from "../domain/checkResult";
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
