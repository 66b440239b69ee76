// Step: read a link's registry row (references only, no secret values), or null when it is not registered.
import type * as df from "durable-functions";
import { z } from "zod";
import { REGISTRY_RETRY } from "../retryPolicies";
import { LOAD_LINK_ACTIVITY } from "../activities/linkMaintenanceActivities";
import { type LinkRecord } from "../../registry/linkRegistry";
import { registryUnavailable } from "./registryUnavailable";
import { callActivity } from "./callActivity";

/** Checks the fields the workflow branches on; the row's other fields pass through as the registry wrote them. */
const loadLinkResultSchema = z
  .looseObject({ id: z.string(), state: z.string() })
  .nullable() as unknown as z.ZodType<LinkRecord | null>;

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
