// Activity: set the replica's replicate_wild_ignore_table through Resource Manager (a long-running operation), before linking.
import { z } from "zod";
import { activity } from "./activityHandler";
import { armOutcome, outcomeSchema } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { replicaTargetSchema } from "../../request/provisionRequest";
import { IGNORE_TABLE_PARAMETER } from "../../request/tableFilters";

export const SET_TABLE_FILTER_ACTIVITY = "setReplicaTableFilter";

export const setTableFilterInputSchema = z.object({
  replica: replicaTargetSchema,
  /** The whole value to write: the server's own patterns merged with the request's (decided at inspection). */
  value: z.string(),
});
export type SetTableFilterInput = z.infer<typeof setTableFilterInputSchema>;

export const setTableFilterResultSchema = outcomeSchema(z.object({ value: z.string() }));
export type SetTableFilterResult = z.infer<typeof setTableFilterResultSchema>;

export function createSetTableFilterActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: SET_TABLE_FILTER_ACTIVITY,
    input: setTableFilterInputSchema,
    run: (input): Promise<SetTableFilterResult> =>
      armOutcome(
        async () => {
          // Idempotent: a retry or a replay writes the same whole value again.
          await deps().replicaManager(input.replica).setServerParameter(IGNORE_TABLE_PARAMETER, input.value);
          return { value: input.value };
        },
        (failure) => ({
          code: "TABLE_FILTER_FAILED",
          message: `Resource Manager refused to set ${IGNORE_TABLE_PARAMETER} on ${input.replica.serverName} to ${input.value}: ${failure.code}: ${failure.message}`,
          remedy:
            failure.code === "ConfigurationReadOnly"
              ? "The parameter is read-only on this server (some MySQL 5.7 Flexible Servers): use a MySQL 8.0 server, or leave the tables out of the dump and drop filters from the request."
              : failure.statusCode === 403
                ? "Grant this app's identity configurations/write on the replica (the custom role of infra/)."
                : "Check the patterns against the Resource Manager error above.",
        }),
      ),
  });
}
