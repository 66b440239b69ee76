// Entry points of the HTTP API (route prefix /api, function keys): wiring only, the logic lives in shared/api.
import { app } from "@azure/functions";
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { createReplicationsApi } from "../shared/api/replicationsApi";
import { workflowDependencies } from "../shared/workflow/dependencies";

// Settings are validated when the app loads: a missing or malformed setting stops startup with its name.
appConfig();

const api = createReplicationsApi({ config: appConfig, workflow: workflowDependencies });

app.http("startReplication", {
  route: "replications",
  methods: ["POST"],
  authLevel: "function",
  extraInputs: [df.input.durableClient()],
  handler: (request, context) => api.start(request, df.getClient(context), context),
});

app.http("getReplication", {
  route: "replications/{id}",
  methods: ["GET"],
  authLevel: "function",
  extraInputs: [df.input.durableClient()],
  handler: (request, context) => api.get(request, df.getClient(context)),
});
