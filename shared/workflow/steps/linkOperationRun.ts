// The state one rotation or cutover run builds up: its report, the published step timings, and the undo list.
import type * as df from "durable-functions";
import {
  type LinkOperation,
  type OperationCustomStatus,
  type OperationReport,
  emptyReport,
} from "../linkOperationTypes";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { type LinkRecord } from "../../registry/linkRegistry";
import { StepClock } from "./stepClock";

/** Puts back one change of a failed run, recording in the report whether it could. */
export type Undo = () => Generator<df.Task, void, unknown>;

/** The claimed link as the steps reach it (references only). */
export interface ClaimedLink {
  record: LinkRecord;
  replica: ReplicaSpec;
  fqdn: string;
  source: SourceSpec;
}

export function claimedLink(record: LinkRecord): ClaimedLink {
  return { record, replica: record.replica, fqdn: record.replicaFqdn, source: record.source };
}

type LagSample = OperationReport["lag"][number];

export class LinkOperationRun {
  readonly report: OperationReport;
  /** What a failure puts back, newest last: a step adds its undo before it changes the replica. */
  readonly undo: Undo[] = [];
  private readonly clock = new StepClock<string>(
    () => this.now(),
    (finished) => this.report.steps.push(finished),
  );
  private lag: LagSample | undefined;

  constructor(
    readonly context: df.OrchestrationContext,
    id: string,
    operation: LinkOperation,
  ) {
    this.report = emptyReport(id, operation);
  }

  /** The orchestration clock: the only time a step may read. */
  now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  log(message: string): void {
    if (!this.context.df.isReplaying) this.context.log(`[${this.report.id}] ${message}`);
  }

  begin(step: string): void {
    this.end();
    this.clock.start(step);
    this.publish();
  }

  end(): void {
    if (this.clock.stop()) this.publish();
  }

  /** Cutover: a lag sample, kept in the report (newest `keep`) and published as the latest. */
  recordLag(sample: LagSample, keep: number): void {
    this.report.lag = [...this.report.lag, sample].slice(-keep);
    this.lag = sample;
    this.publish();
  }

  /** A few hundred bytes: the step, its timings and the latest lag sample. */
  private publish(): void {
    const status: OperationCustomStatus = {
      operation: this.report.operation,
      step: this.clock.step ?? "done",
      steps: this.report.steps,
      ...(this.lag ? { lag: this.lag } : {}),
    };
    this.context.df.setCustomStatus(status);
  }
}
