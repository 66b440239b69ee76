// The failure path of a provisioning: undo what the run changed (its undo list, newest first), record the failure.
import type * as df from "durable-functions";
import { REGISTRY_RETRY, ROLLBACK_RETRY } from "../retryPolicies";
import { type ProvisionReport, type WorkflowError } from "../provisionTypes";
import { ROLLBACK_ACTIVITY, type RollbackInput, rollbackResultSchema } from "../activities/rollbackActivity";
import { UNDO_LOAD_ACTIVITY, type UndoLoadInput, undoLoadResultSchema } from "../activities/undoLoadActivity";
import { RECORD_LINK_ACTIVITY, recordLinkResultSchema } from "../activities/recordLinkActivity";
import { type LoadPlan } from "../../load/loadTypes";
import { linkSourceOf } from "../../domain/linkIdentity";
import { StepFailed, callActivity } from "./callActivity";
import { type ProvisionRun } from "./provisionRun";

const asProblem = (reason: string): WorkflowError => ({ code: "UNDO_FAILED", message: reason, remedy: "" });

/** Ends the run: undoes what this run changed, records the outcome, returns the report. */
export function* rollBack(
  run: ProvisionRun,
  error: WorkflowError,
): Generator<df.Task, ProvisionReport, unknown> {
  const { report } = run;
  report.error = error;
  run.log(`failed: ${error.code}`);
  if (run.undo.length === 0) {
    run.end();
    // Nothing was changed, so there is nothing to roll back: null, not false ("a rollback failed").
    report.rolledBack = null;
    report.changes = [];
  } else {
    run.begin("rollingBack");
    // The link, the table filter and the firewall rule are undone by one activity, in its own order (stop, remove
    // the link, put the filter back, delete the rule), whenever the run changed any of them (a Flexible run can fail
    // with only the filter set); the load's data goes after the link, so nothing applies to tables being dropped.
    const undoing = [...run.undo].reverse();
    if (
      undoing.some(
        (entry) => entry.kind === "link" || entry.kind === "firewallRule" || entry.kind === "tableFilter",
      )
    )
      yield* undoReplica(run);
    const loaded = undoing.find((entry) => entry.kind === "load");
    if (loaded) yield* undoLoad(run, loaded.plan);
    run.end();
  }
  yield* recordFailure(run);
  run.publish();
  return report;
}

function* undoReplica(run: ProvisionRun): Generator<df.Task, void, unknown> {
  const { input, report } = run;
  const error = report.error!;
  const firewall = run.undoEntry("firewallRule");
  const rollbackInput: RollbackInput = {
    replica: input.replica,
    fqdn: run.fqdn,
    removeLink: run.undoEntry("link") !== undefined,
    onlyIfSource: linkSourceOf(input.source),
    deleteFirewallRule: firewall?.createdByThisRun ? firewall.ruleName : null,
    restoreTableFilter: run.undoEntry("tableFilter")?.state ?? null,
  };
  try {
    const result = yield* callActivity(
      run.context,
      { name: ROLLBACK_ACTIVITY, policy: ROLLBACK_RETRY, input: rollbackInput, schema: rollbackResultSchema },
      asProblem,
    );
    report.rollback = result.actions;
    report.rolledBack = result.ok;
    if (!result.ok)
      report.error = { ...error, message: `${error.message} Rollback also failed: ${result.error}` };
  } catch (failure) {
    if (!(failure instanceof StepFailed)) throw failure;
    report.rolledBack = false;
    report.error = { ...error, message: `${error.message} Rollback also failed: ${failure.error.message}` };
  }
}

/** Drops what the initial load created; a failure here is a failed rollback, named in the error. */
function* undoLoad(run: ProvisionRun, plan: LoadPlan): Generator<df.Task, void, unknown> {
  const { input, report } = run;
  if (!run.fqdn) return;
  const undoInput: UndoLoadInput = {
    source: input.source,
    replica: input.replica,
    fqdn: run.fqdn,
    plan: { databases: plan.databases, preExisting: plan.preExisting },
  };
  let problem: string | null = null;
  try {
    const result = yield* callActivity(
      run.context,
      { name: UNDO_LOAD_ACTIVITY, policy: ROLLBACK_RETRY, input: undoInput, schema: undoLoadResultSchema },
      asProblem,
    );
    if (result.ok)
      report.changes.push(...result.actions.map((action) => `undid the initial load: ${action}`));
    else problem = result.error;
  } catch (failure) {
    if (!(failure instanceof StepFailed)) throw failure;
    problem = failure.error.message;
  }
  report.rolledBack = report.rolledBack === null ? problem === null : report.rolledBack && problem === null;
  if (problem && report.error)
    report.error = {
      ...report.error,
      message: `${report.error.message} Removing the initial load's data also failed: ${problem}`,
    };
}

/** Records the failure in the registry; a failure to record a failure is logged, not raised over the real error. */
function* recordFailure(run: ProvisionRun): Generator<df.Task, void, unknown> {
  try {
    yield* callActivity(
      run.context,
      {
        name: RECORD_LINK_ACTIVITY,
        policy: REGISTRY_RETRY,
        input: run.linkRecord("failed", run.report.error),
        schema: recordLinkResultSchema,
      },
      asProblem,
    );
  } catch (failure) {
    if (!(failure instanceof StepFailed)) throw failure;
    run.log(`recording the failure failed: ${failure.error.message}`);
  }
}
