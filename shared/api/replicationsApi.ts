// The HTTP API of provisionings: start (or dry-run), inspect, list, delete and re-validate; functions/ only wires it to triggers.
import { type ApiDependencies } from "./apiDependencies";
import { getReplication } from "./getReplication";
import { listReplications } from "./listReplications";
import { removeReplication } from "./removeReplication";
import { revalidateReplication } from "./revalidateReplication";
import { startProvisioning } from "./startProvisioning";

export function createReplicationsApi(deps: ApiDependencies) {
  return {
    start: startProvisioning(deps),
    get: getReplication(deps),
    list: listReplications(deps),
    remove: removeReplication(deps),
    revalidate: revalidateReplication(deps),
  };
}
