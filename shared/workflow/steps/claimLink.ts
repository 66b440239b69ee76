// The first step of a rotation or cutover: hold the link under its row's ETag, or end the run refused, saying why.
import type * as df from "durable-functions";
import { REGISTRY_RETRY } from "../retryPolicies";
import {
  CLAIM_LINK_ACTIVITY,
  type ClaimLinkInput,
  claimLinkResultSchema,
} from "../activities/linkClaimActivities";
import { registryUnavailable } from "./registryUnavailable";
import { callActivity } from "./callActivity";
import { type ClaimedLink, type LinkOperationRun, claimedLink } from "./linkOperationRun";

/** The claimed link, or null with the report marked refused (NOT_REGISTERED or LINK_BUSY) and the step ended. */
export function* claimLink(
  run: LinkOperationRun,
  holdAs: ClaimLinkInput["holdAs"],
  /** What the operation does to a link, for the refusal: "rotated", "cut over". */
  done: string,
): Generator<df.Task, ClaimedLink | null, unknown> {
  const { report } = run;
  run.begin("claiming");
  const input: ClaimLinkInput = { id: report.id, holdAs, at: run.now().toISOString() };
  const claim = yield* callActivity(
    run.context,
    { name: CLAIM_LINK_ACTIVITY, policy: REGISTRY_RETRY, input, schema: claimLinkResultSchema },
    registryUnavailable("Claiming the link"),
  );
  if (claim.claimed) return claimedLink(claim.record);
  run.end();
  report.outcome = "refused";
  report.error = {
    code: claim.state === null ? "NOT_REGISTERED" : "LINK_BUSY",
    message:
      claim.state === null
        ? "The link is not registered."
        : `The link is ${claim.state}; only a replicating link can be ${done}.`,
    remedy: "Wait for the running operation to end, or provision the link first.",
  };
  return null;
}
