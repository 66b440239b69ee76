// Activity: plan an initial load before anything changes (privileges, databases, an empty replica), as checks.
import { z } from "zod";
import { activity } from "./activityHandler";
import { type ActivityOutcome, outcomeSchema, succeeded } from "./activityOutcome";
import { withLoadEndpoints } from "./loadEndpoints";
import { type WorkflowDependencies } from "../dependencies";
import { loadPlanSchema } from "../../load/loadTypes";
import { checkResultSchema } from "./checkResultSchema";
import { type LoadPlanning, planLoad } from "../../load/loadPlan";
import { initialLoadSchema, linkingMethodSchema } from "../../request/provisionRequest";
import { linkEndsInputSchema } from "./replicaSession";

export const PLAN_LOAD_ACTIVITY = "planInitialLoad";

export const planLoadInputSchema = linkEndsInputSchema.extend({
  initialLoad: initialLoadSchema,
  linking: linkingMethodSchema,
});
export type PlanLoadInput = z.infer<typeof planLoadInputSchema>;

export const planLoadResultSchema = outcomeSchema(
  z.object({
    checks: z.array(checkResultSchema),
    plan: loadPlanSchema.nullable(),
  }),
) satisfies z.ZodType<ActivityOutcome<LoadPlanning>>;
export type PlanLoadResult = z.infer<typeof planLoadResultSchema>;

export function createPlanLoadActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: PLAN_LOAD_ACTIVITY,
    input: planLoadInputSchema,
    run: (input): Promise<PlanLoadResult> =>
      withLoadEndpoints(
        deps(),
        input,
        ({ errno, message }) => ({
          code: "LOAD_PLAN_FAILED",
          message: `Planning the initial load failed: ${errno ? `error ${errno}: ` : ""}${message}`,
          remedy:
            "See the MySQL error above; the load reads the source as source.inspectionUser and the replica as its admin.",
        }),
        async (endpoints) =>
          succeeded(await planLoad(endpoints.source, endpoints.replica, input.initialLoad, input.linking)),
      ),
  });
}
