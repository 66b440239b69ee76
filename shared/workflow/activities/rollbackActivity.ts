// Activity: undo what a failed provisioning changed (stop, remove the link, delete the rule it created); reports each action.
import { z } from "zod";
import { activity } from "./activityHandler";
import { type ActivityOutcome, armOutcome, succeeded } from "./activityOutcome";
import { withReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { type RollbackAction } from "../provisionTypes";
import { replicaSpecSchema, sourceSpecSchema } from "../../request/provisionRequest";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { isSameLink } from "../../domain/linkIdentity";
import { callRemoveMaster, callStop } from "../../replica/replicaSql";
import { IGNORE_TABLE_PARAMETER, sameIgnoreValue } from "../../request/tableFilters";

export const ROLLBACK_ACTIVITY = "rollbackProvisioning";

export const rollbackInputSchema = z.object({
  replica: replicaSpecSchema,
  fqdn: z.string().nullable(),
  removeLink: z.boolean(),
  /** Remove the link only when it points at this source: never undo a link someone else made. */
  onlyIfSource: z
    .object({ host: sourceSpecSchema.shape.host, port: sourceSpecSchema.shape.port, user: z.string() })
    .optional(),
  /** The rule to delete: only one this app created for the link. */
  deleteFirewallRule: z.string().nullable(),
  /**
   * Put replicate_wild_ignore_table back to `previousValue`, when it still holds the `value` this app set: a value
   * changed since by someone else is theirs, and is left alone (and said so).
   */
  restoreTableFilter: z.object({ value: z.string(), previousValue: z.string() }).nullish(),
});
export type RollbackInput = z.infer<typeof rollbackInputSchema>;

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

/** Stops and removes the link when it is this source's (or when no source is named); each step reported as it is done. */
function removeLink(
  deps: WorkflowDependencies,
  input: RollbackInput & { fqdn: string },
  actions: RollbackAction[],
): Promise<ActivityOutcome<null>> {
  return withReplicaSession(
    deps,
    { replica: input.replica, fqdn: input.fqdn },
    ({ message }) => ({ code: "REMOVE_LINK_FAILED", message, remedy: "" }),
    async ({ session, identity }) => {
      const status = await readReplicationStatus(session, identity);
      const foreign =
        status.configured && input.onlyIfSource !== undefined && !isSameLink(status, input.onlyIfSource);
      if (foreign) {
        actions.push({
          action: "removeLink",
          outcome: "notNeeded",
          detail: `The replica replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}, not from this link's source: left alone.`,
        });
      } else if (!status.configured) {
        actions.push({ action: "stopReplication", outcome: "notNeeded", detail: "No link on the replica." });
        actions.push({ action: "removeLink", outcome: "notNeeded", detail: "No link on the replica." });
      } else {
        await callStop(session);
        actions.push({ action: "stopReplication", outcome: "done", detail: "az_replication_stop" });
        await callRemoveMaster(session);
        actions.push({ action: "removeLink", outcome: "done", detail: "az_replication_remove_master" });
      }
      return succeeded(null);
    },
  );
}

/** Puts the table filter back, unless someone changed it since this app set it. */
async function restoreTableFilter(
  deps: WorkflowDependencies,
  input: RollbackInput,
  { value, previousValue }: { value: string; previousValue: string },
): Promise<RollbackAction> {
  const manager = deps.replicaManager(input.replica);
  const current = await manager.getServerParameter(IGNORE_TABLE_PARAMETER);
  if (!current || current.value === previousValue) {
    return {
      action: "restoreTableFilter",
      outcome: "notNeeded",
      detail: `${IGNORE_TABLE_PARAMETER} already holds its previous value${previousValue ? ` ${previousValue}` : " (empty)"}.`,
    };
  }
  if (!sameIgnoreValue(current.value, value)) {
    return {
      action: "restoreTableFilter",
      outcome: "notNeeded",
      detail: `${IGNORE_TABLE_PARAMETER} was changed to ${current.value || "(empty)"} after this app set ${value}: left as it is.`,
    };
  }
  await manager.setServerParameter(IGNORE_TABLE_PARAMETER, previousValue);
  return {
    action: "restoreTableFilter",
    outcome: "done",
    detail: `${IGNORE_TABLE_PARAMETER} set back to ${previousValue || "(empty)"}`,
  };
}

export function createRollbackActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: ROLLBACK_ACTIVITY,
    input: rollbackInputSchema,
    run: async (input): Promise<RollbackResult> => {
      const dependencies = deps();
      const actions: RollbackAction[] = [];
      if (input.removeLink && input.fqdn) {
        const removed = await removeLink(dependencies, { ...input, fqdn: input.fqdn }, actions);
        if (!removed.ok) {
          const { code, message } = removed.error;
          actions.push({ action: "removeLink", outcome: "failed", detail: message });
          const error = code === "REMOVE_LINK_FAILED" ? `Removing the link failed: ${message}` : message;
          return { ok: false, actions, error };
        }
      }
      // Resource Manager steps: a refusal is reported as the failed action (`detail`) and ends the rollback (`error`).
      const armSteps: {
        action: RollbackAction["action"];
        run: () => Promise<RollbackAction>;
        error: (message: string) => string;
      }[] = [];
      const filter = input.restoreTableFilter;
      if (filter) {
        armSteps.push({
          action: "restoreTableFilter",
          run: () => restoreTableFilter(dependencies, input, filter),
          error: (message) =>
            `Restoring ${IGNORE_TABLE_PARAMETER} to ${filter.previousValue || "(empty)"} failed: ${message}`,
        });
      }
      const rule = input.deleteFirewallRule;
      if (rule) {
        armSteps.push({
          action: "deleteFirewallRule",
          run: async () => {
            await dependencies.replicaManager(input.replica).deleteFirewallRule(rule);
            return { action: "deleteFirewallRule", outcome: "done", detail: rule };
          },
          error: (message) => `Deleting firewall rule ${rule} failed: ${message}`,
        });
      }
      for (const step of armSteps) {
        const done = await armOutcome(step.run, (failure) => ({
          code: failure.code,
          message: failure.message,
          remedy: "",
        }));
        if (!done.ok) {
          const { code, message } = done.error;
          actions.push({ action: step.action, outcome: "failed", detail: `${code}: ${message}` });
          return { ok: false, actions, error: step.error(message) };
        }
        actions.push(done.value);
      }
      return { ok: true, actions };
    },
  });
}
