// Step: read a link's registry row (references only, no secret values), or null when it is not registered.
import type * as df from "durable-functions";
import { REGISTRY_RETRY } from "../retryPolicies";
import { LOAD_LINK_ACTIVITY } from "../activities/linkMaintenanceActivities";
import { linkRecordResultSchema } from "../activities/registryInputs";
import { type LinkRecord } from "../../registry/linkRegistry";
import { registryUnavailable } from "./registryUnavailable";
import { callActivity } from "./callActivity";

const loadLinkResultSchema = linkRecordResultSchema.nullable();

export function* loadLink(
  context: df.OrchestrationContext,
  id: string,
): Generator<df.Task, LinkRecord | null, unknown> {
  return yield* callActivity(
    context,
    { name: LOAD_LINK_ACTIVITY, policy: REGISTRY_RETRY, input: id, schema: loadLinkResultSchema },
    registryUnavailable("Reading the link's registry row"),
  );
}
