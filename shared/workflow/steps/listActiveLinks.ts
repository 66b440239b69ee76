// Step (re-validation): the ids of every link that replicates now.
import type * as df from "durable-functions";
import { z } from "zod";
import { REGISTRY_RETRY } from "../retryPolicies";
import { LIST_ACTIVE_LINKS_ACTIVITY } from "../activities/linkMaintenanceActivities";
import { callActivity } from "./callActivity";
import { registryUnavailable } from "./registryUnavailable";

export function* listActiveLinks(context: df.OrchestrationContext): Generator<df.Task, string[], unknown> {
  return yield* callActivity(
    context,
    {
      name: LIST_ACTIVE_LINKS_ACTIVITY,
      policy: REGISTRY_RETRY,
      input: undefined,
      schema: z.array(z.string()),
    },
    registryUnavailable("Listing the active links"),
  );
}
