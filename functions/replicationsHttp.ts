// Entry points of the HTTP API (route prefix /api, function keys): wiring only, the logic lives in shared/api.
import { app, type HttpHandler } from "@azure/functions";
import * as df from "durable-functions";
import { appConfig } from "../shared/config/appConfig";
import { createReplicationsApi } from "../shared/api/replicationsApi";
import { workflowDependencies } from "../shared/workflow/dependencies";

// Settings are validated when the app loads: a missing or malformed setting stops startup with its name.
appConfig();

const api = createReplicationsApi({ config: appConfig, workflow: workflowDependencies });

function route(
  name: string,
  methods: ("GET" | "POST" | "DELETE")[],
  path: string,
  handler: HttpHandler,
): void {
  app.http(name, {
    route: path,
    methods,
    authLevel: "function",
    extraInputs: [df.input.durableClient()],
    handler,
  });
}

route("startReplication", ["POST"], "replications", (request, context) =>
  api.start(request, df.getClient(context), context),
);
route("listReplications", ["GET"], "replications", () => api.list());
route("getReplication", ["GET"], "replications/{id}", (request, context) =>
  api.get(request, df.getClient(context)),
);
route("deleteReplication", ["DELETE"], "replications/{id}", (request, context) =>
  api.remove(request, df.getClient(context)),
);
route("revalidateReplication", ["POST"], "replications/{id}/revalidate", (request, context) =>
  api.revalidate(request, df.getClient(context)),
);
