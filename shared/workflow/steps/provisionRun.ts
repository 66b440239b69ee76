// The state one provisioning run builds up: its report, the published progress, the facts later steps need, and the undo list.
import type * as df from "durable-functions";
import {
  type ProvisionCustomStatus,
  type ProvisionReport,
  type StepName,
  type TableFilterState,
  type WorkflowError,
} from "../provisionTypes";
import { type ProvisionOrchestrationInput } from "../provisionOrchestrator";
import { type RecordLinkInput } from "../activities/recordLinkActivity";
import { type LinkRecord } from "../../registry/linkRegistry";
import { type LoadPlan } from "../../load/loadTypes";
import { firewallRuleNameFor } from "../../domain/firewall";
import { StepClock } from "./stepClock";

/** What a failed run undoes: each step that changed something adds its entry before it changes it. */
export type Undo =
  | { kind: "firewallRule"; ruleName: string; createdByThisRun: boolean }
  | { kind: "load"; plan: LoadPlan }
  | { kind: "tableFilter"; state: TableFilterState }
  | { kind: "link" };

export class ProvisionRun {
  readonly ruleName: string;
  readonly report: ProvisionReport;
  readonly undo: Undo[] = [];
  /** Known once assessed: the replica's FQDN and the source's IPv4 (the registry row names both, "" / null before). */
  fqdn: string | null = null;
  sourceIpv4: string | null = null;
  loadStatus: ProvisionCustomStatus["load"] | undefined;
  private readonly clock = new StepClock<StepName>(
    () => this.now(),
    (finished) => this.report.steps.push(finished),
  );

  constructor(
    readonly context: df.OrchestrationContext,
    readonly input: ProvisionOrchestrationInput,
  ) {
    this.ruleName = firewallRuleNameFor(input.id);
    this.report = {
      id: input.id,
      state: "failed",
      rolledBack: null,
      checks: [],
      replication: null,
      error: null,
      steps: [],
      changes: [],
      rollback: [],
      coordinates: null,
      firewallRule: null,
      linking: null,
      gtidPosition: null,
      sourceFirewall: null,
      tableFilters: null,
    };
  }

  now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  log(message: string): void {
    if (!this.context.df.isReplaying) this.context.log(`[${this.input.id}] ${message}`);
  }

  /** Small on purpose: the step and its timings, and a load's few numbers (the checks travel in the output). */
  publish(): void {
    const status: ProvisionCustomStatus = {
      step: this.clock.step ?? "validating",
      steps: this.report.steps,
      ...(this.loadStatus ? { load: this.loadStatus } : {}),
    };
    this.context.df.setCustomStatus(status);
  }

  begin(step: StepName): void {
    this.clock.start(step);
    this.publish();
  }

  end(): void {
    this.clock.stop();
  }

  /** Begins `step` unless it is the current one. */
  enter(step: StepName): void {
    if (this.clock.step !== step) this.begin(step);
  }

  undoEntry<K extends Undo["kind"]>(kind: K): Extract<Undo, { kind: K }> | undefined {
    return this.undo.find((entry): entry is Extract<Undo, { kind: K }> => entry.kind === kind);
  }

  /** The registry row of this run. */
  linkRecord(state: LinkRecord["state"], error: WorkflowError | null): RecordLinkInput {
    const { input, report } = this;
    const firewall = this.undoEntry("firewallRule");
    // resetGtid was this run's one-time action: the link keeps the replica without it, so nothing later repeats it.
    const { resetGtid: _resetGtid, ...replica } = input.replica;
    return {
      at: this.now().toISOString(),
      record: {
        id: input.id,
        state,
        source: input.source,
        replica,
        replicaFqdn: this.fqdn ?? "",
        sourceIpv4: this.sourceIpv4,
        firewallRuleName: firewall ? firewall.ruleName : null,
        firewallRuleCreatedByApp: firewall?.createdByThisRun ?? false,
        binlogFile: report.coordinates?.file ?? null,
        binlogPosition: report.coordinates?.position ?? null,
        linking: report.linking?.method ?? input.linking ?? "binlogPosition",
        rolledBack: report.rolledBack,
        lastError: error ? `${error.code}: ${error.message}` : null,
        skipPolicy: input.policy?.skipErrors ?? [],
        skipCounts: {},
        heartbeat: input.heartbeat ?? null,
        tableFilters: this.undoEntry("tableFilter")?.state ?? null,
        lastHealth: null,
      },
    };
  }
}
