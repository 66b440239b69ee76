// Entry points of the HTTP API (route prefix /api, function keys): wiring only, the logic lives in shared/api.
import { appConfig } from "../shared/config/appConfig";
import { createReplicationsApi } from "../shared/api/replicationsApi";
import { apiWorkflowDependencies } from "../shared/workflow/dependencies";
import { durableHttpRoute } from "./wiring/durableTriggers";

// Settings are validated when the app loads: a missing or malformed setting stops startup with its name.
appConfig();

// Table clients that keep the SDK's retries: nothing around a request retries it (the activities' policies do theirs).
const api = createReplicationsApi({ config: appConfig, workflow: apiWorkflowDependencies });

durableHttpRoute("startReplication", ["POST"], "replications", (request, client, context) =>
  api.start(request, client, context),
);
durableHttpRoute("listReplications", ["GET"], "replications", () => api.list());
durableHttpRoute("getReplication", ["GET"], "replications/{id}", (request, client) =>
  api.get(request, client),
);
durableHttpRoute("deleteReplication", ["DELETE"], "replications/{id}", (request, client) =>
  api.remove(request, client),
);
durableHttpRoute("revalidateReplication", ["POST"], "replications/{id}/revalidate", (request, client) =>
  api.revalidate(request, client),
);
