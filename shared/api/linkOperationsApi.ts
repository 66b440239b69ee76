// The HTTP API of a link's later life: rotation (PATCH), cutover (POST .../cutover) and their status, one operation per link at a time.
import { type ApiDependencies } from "./apiDependencies";
import { cutOverLink } from "./cutOverLink";
import { operationStatus } from "./operationStatus";
import { rotateLink } from "./rotateLink";

export function createLinkOperationsApi(deps: ApiDependencies) {
  return { rotate: rotateLink(deps), cutover: cutOverLink(deps), status: operationStatus };
}
