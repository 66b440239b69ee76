// The first step of a rotation or cutover: hold the link under its row's ETag, or end the run refused, saying why.
import type * as df from "durable-functions";
import { REGISTRY_RETRY } from "../retryPolicies";
import { decode } from "../decode";
import { type OperationReport } from "../linkOperationTypes";
import {
  CLAIM_LINK_ACTIVITY,
  type ClaimLinkInput,
  claimLinkResultSchema,
} from "../activities/linkClaimActivities";
import { type LinkRecord } from "../../registry/linkRegistry";

/** The claimed row, or null with `report` marked refused (NOT_REGISTERED or LINK_BUSY) and the step ended. */
export function* claimLink(
  context: df.OrchestrationContext,
  report: OperationReport,
  steps: { begin(step: string): void; end(): void },
  holdAs: ClaimLinkInput["holdAs"],
  /** What the operation does to a link, for the refusal: "rotated", "cut over". */
  done: string,
): Generator<df.Task, LinkRecord | null, unknown> {
  steps.begin("claiming");
  const claimInput: ClaimLinkInput = {
    id: report.id,
    holdAs,
    at: context.df.currentUtcDateTime.toISOString(),
  };
  const claim = decode(
    claimLinkResultSchema,
    CLAIM_LINK_ACTIVITY,
    yield context.df.callActivityWithRetry(CLAIM_LINK_ACTIVITY, REGISTRY_RETRY, claimInput),
  );
  if (claim.claimed) return claim.record;
  steps.end();
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
