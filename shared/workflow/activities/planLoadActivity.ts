// Activity: plan an initial load before anything changes (privileges, databases, an empty replica), as checks.
import { z } from "zod";
import {
  type ActivityOutcome,
  failed,
  outcomeSchema,
  secretFailure,
  succeeded,
  transientError,
} from "./activityOutcome";
import { loadEndpoints, type LoadEndpoints } from "./loadEndpoints";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { type InitialLoadSpec, loadPlanSchema } from "../../load/loadTypes";
import { checkResultSchema } from "../../source/checkResult";
import { type LoadPlanning, planLoad } from "../../load/loadPlan";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const PLAN_LOAD_ACTIVITY = "planInitialLoad";

export interface PlanLoadInput {
  source: SourceSpec;
  replica: ReplicaSpec;
  fqdn: string;
  initialLoad: InitialLoadSpec;
  linking: "binlogPosition" | "gtid";
}

export const planLoadResultSchema = outcomeSchema(
  z.object({
    checks: z.array(checkResultSchema),
    plan: loadPlanSchema.nullable(),
  }),
) satisfies z.ZodType<ActivityOutcome<LoadPlanning>>;
export type PlanLoadResult = z.infer<typeof planLoadResultSchema>;

export function createPlanLoadActivity(deps: () => WorkflowDependencies) {
  return async (input: PlanLoadInput): Promise<PlanLoadResult> => {
    const dependencies = deps();
    let endpoints: LoadEndpoints;
    try {
      endpoints = await loadEndpoints(dependencies, input.source, input.replica, input.fqdn);
    } catch (error) {
      return secretFailure(error);
    }
    try {
      return succeeded(await planLoad(endpoints.source, endpoints.replica, input.initialLoad, input.linking));
    } catch (error) {
      if (isTransientMysqlError(error)) throw transientError(error, endpoints.secrets);
      const errno = mysqlErrno(error);
      return failed(
        "LOAD_PLAN_FAILED",
        redactSecrets(
          `Planning the initial load failed: ${errno ? `error ${errno}: ` : ""}${(error as Error).message}`,
          endpoints.secrets,
        ),
        "See the MySQL error above; the load reads the source as source.inspectionUser and the replica as its admin.",
      );
    }
  };
}
