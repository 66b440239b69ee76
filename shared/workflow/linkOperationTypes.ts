// What rotation, cutover and teardown share: instance ids, the report shape, the running custom status.
import { type ReplicationSummary, type WorkflowError } from "./provisionTypes";
import { type CheckResult } from "../domain/checkResult";

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
