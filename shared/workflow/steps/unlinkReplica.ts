// Step: remove a registered link from its replica (stop, remove the link, put the table filter back, delete the rule this app created).
import type * as df from "durable-functions";
import { ROLLBACK_RETRY } from "../retryPolicies";
import {
  ROLLBACK_ACTIVITY,
  type RollbackInput,
  type RollbackResult,
  rollbackResultSchema,
} from "../activities/rollbackActivity";
import { type LinkRecord } from "../../registry/linkRegistry";
import { firewallRuleNameFor } from "../../domain/firewall";
import { linkSourceOf } from "../../domain/linkIdentity";
import { StepFailed, callActivity } from "./callActivity";

/** The rollback activity's input for a whole registered link: only a link to this link's source is removed. */
export function unlinkInput(record: LinkRecord): RollbackInput {
  return {
    replica: record.replica,
    fqdn: record.replicaFqdn || null,
    removeLink: true,
    onlyIfSource: linkSourceOf(record.source),
    // A row written before rule names were recorded names no rule: the rule this app created is named after the link.
    deleteFirewallRule: record.firewallRuleCreatedByApp
      ? (record.firewallRuleName ?? firewallRuleNameFor(record.id))
      : null,
    // A link that no longer replicates takes the table filter it set off with it.
    restoreTableFilter: record.tableFilters,
  };
}

/** What was done, action by action; retries that ran out are a failed result too, never a thrown error. */
export function* unlinkReplica(
  context: df.OrchestrationContext,
  record: LinkRecord,
): Generator<df.Task, RollbackResult, unknown> {
  try {
    return yield* callActivity(
      context,
      {
        name: ROLLBACK_ACTIVITY,
        policy: ROLLBACK_RETRY,
        input: unlinkInput(record),
        schema: rollbackResultSchema,
      },
      (reason) => ({ code: "UNLINK_FAILED", message: reason, remedy: "" }),
    );
  } catch (failure) {
    if (!(failure instanceof StepFailed)) throw failure;
    return { ok: false, actions: [], error: failure.error.message };
  }
}
