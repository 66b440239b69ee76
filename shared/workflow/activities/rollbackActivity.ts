// Activity: undo what a failed provisioning changed (stop, remove the link, delete the rule it created); reports each action.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { replicaAdminPurpose } from "../../secrets/secretBinding";
import { openReplicaSession } from "./replicaSession";
import { secretFailure, transientError } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type RollbackAction } from "../provisionTypes";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { isSameLink } from "../../domain/linkIdentity";
import { callRemoveMaster, callStop } from "../../replica/replicaSql";
import { isTransientArmError, toArmFailure } from "../../replica/replicaManager";
import { isTransientMysqlError } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";
import { IGNORE_TABLE_PARAMETER, sameIgnoreValue } from "../../request/tableFilters";

export const ROLLBACK_ACTIVITY = "rollbackProvisioning";

export interface RollbackInput {
  replica: ReplicaSpec;
  fqdn: string | null;
  removeLink: boolean;
  /** Remove the link only when it points at this source: never undo a link someone else made. */
  onlyIfSource?: { host: string; port: number; user: string };
  /** The rule to delete: only one this app created for the link. */
  deleteFirewallRule: string | null;
  /**
   * Put replicate_wild_ignore_table back to `previousValue`, when it still holds the `value` this app set: a value
   * changed since by someone else is theirs, and is left alone (and said so).
   */
  restoreTableFilter?: { value: string; previousValue: string } | null;
}

const rollbackActionSchema: z.ZodType<RollbackAction> = z.object({
  action: z.enum(["stopReplication", "removeLink", "deleteFirewallRule", "restoreTableFilter"]),
  outcome: z.enum(["done", "notNeeded", "failed"]),
  detail: z.string(),
});
export const rollbackResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), actions: z.array(rollbackActionSchema) }),
  z.object({ ok: z.literal(false), actions: z.array(rollbackActionSchema), error: z.string() }),
]);
export type RollbackResult = z.infer<typeof rollbackResultSchema>;

export function createRollbackActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<RollbackInput, RollbackResult> {
  return async (input: RollbackInput): Promise<RollbackResult> => {
    const dependencies = deps();
    const actions: RollbackAction[] = [];
    if (input.removeLink && input.fqdn) {
      let adminPassword: string;
      try {
        adminPassword = await dependencies.secrets.resolve(
          input.replica.adminPassword,
          replicaAdminPurpose(input.replica),
        );
      } catch (error) {
        const outcome = secretFailure(error);
        const message = outcome.ok ? "" : outcome.error.message;
        actions.push({ action: "removeLink", outcome: "failed", detail: message });
        return { ok: false, actions, error: message };
      }
      try {
        const opened = await openReplicaSession(dependencies, input.replica, input.fqdn, adminPassword);
        try {
          const status = await readReplicationStatus(opened.session, opened.identity);
          const foreign =
            status.configured && input.onlyIfSource !== undefined && !isSameLink(status, input.onlyIfSource);
          if (foreign) {
            actions.push({
              action: "removeLink",
              outcome: "notNeeded",
              detail: `The replica replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}, not from this link's source: left alone.`,
            });
          } else if (!status.configured) {
            actions.push({
              action: "stopReplication",
              outcome: "notNeeded",
              detail: "No link on the replica.",
            });
            actions.push({ action: "removeLink", outcome: "notNeeded", detail: "No link on the replica." });
          } else {
            await callStop(opened.session);
            actions.push({ action: "stopReplication", outcome: "done", detail: "az_replication_stop" });
            await callRemoveMaster(opened.session);
            actions.push({ action: "removeLink", outcome: "done", detail: "az_replication_remove_master" });
          }
        } finally {
          await opened.session.close();
        }
      } catch (error) {
        if (isTransientMysqlError(error)) throw transientError(error, [adminPassword]);
        const message = redactSecrets((error as Error).message, [adminPassword]);
        actions.push({ action: "removeLink", outcome: "failed", detail: message });
        return { ok: false, actions, error: `Removing the link failed: ${message}` };
      }
    }
    if (input.restoreTableFilter) {
      const { value, previousValue } = input.restoreTableFilter;
      try {
        const manager = dependencies.replicaManager(input.replica);
        const current = await manager.getServerParameter(IGNORE_TABLE_PARAMETER);
        if (!current || current.value === previousValue) {
          actions.push({
            action: "restoreTableFilter",
            outcome: "notNeeded",
            detail: `${IGNORE_TABLE_PARAMETER} already holds its previous value${previousValue ? ` ${previousValue}` : " (empty)"}.`,
          });
        } else if (!sameIgnoreValue(current.value, value)) {
          actions.push({
            action: "restoreTableFilter",
            outcome: "notNeeded",
            detail: `${IGNORE_TABLE_PARAMETER} was changed to ${current.value || "(empty)"} after this app set ${value}: left as it is.`,
          });
        } else {
          await manager.setServerParameter(IGNORE_TABLE_PARAMETER, previousValue);
          actions.push({
            action: "restoreTableFilter",
            outcome: "done",
            detail: `${IGNORE_TABLE_PARAMETER} set back to ${previousValue || "(empty)"}`,
          });
        }
      } catch (error) {
        if (isTransientArmError(error)) throw transientError(error, []);
        const failure = toArmFailure(error);
        actions.push({
          action: "restoreTableFilter",
          outcome: "failed",
          detail: `${failure.code}: ${failure.message}`,
        });
        return {
          ok: false,
          actions,
          error: `Restoring ${IGNORE_TABLE_PARAMETER} to ${previousValue || "(empty)"} failed: ${failure.message}`,
        };
      }
    }
    if (input.deleteFirewallRule) {
      try {
        await dependencies.replicaManager(input.replica).deleteFirewallRule(input.deleteFirewallRule);
        actions.push({ action: "deleteFirewallRule", outcome: "done", detail: input.deleteFirewallRule });
      } catch (error) {
        if (isTransientArmError(error)) throw transientError(error, []);
        const failure = toArmFailure(error);
        actions.push({
          action: "deleteFirewallRule",
          outcome: "failed",
          detail: `${failure.code}: ${failure.message}`,
        });
        return {
          ok: false,
          actions,
          error: `Deleting firewall rule ${input.deleteFirewallRule} failed: ${failure.message}`,
        };
      }
    }
    return { ok: true, actions };
  };
}
