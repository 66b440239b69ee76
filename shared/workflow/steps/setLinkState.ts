// Step: write a link's state and last error to its registry row, whatever else wrote to it meanwhile.
import type * as df from "durable-functions";
import { z } from "zod";
import { REGISTRY_RETRY } from "../retryPolicies";
import { SET_LINK_STATE_ACTIVITY, type SetLinkStateInput } from "../activities/linkMaintenanceActivities";
import { registryUnavailable } from "./registryUnavailable";
import { callActivity } from "./callActivity";

export function* setLinkState(
  context: df.OrchestrationContext,
  input: SetLinkStateInput,
): Generator<df.Task, void, unknown> {
  yield* callActivity(
    context,
    { name: SET_LINK_STATE_ACTIVITY, policy: REGISTRY_RETRY, input, schema: z.null() },
    registryUnavailable("Recording the link's state"),
  );
}
