// The dashboard page and its JSON data (route prefix /api, function keys like the rest of the API): wiring only.
import { app, type HttpHandler } from "@azure/functions";
import * as df from "durable-functions";
import { createDashboardApi } from "../shared/api/dashboardApi";
import { probeRuntime } from "../shared/workflow/probeRuntime";

const dashboard = createDashboardApi({ probe: probeRuntime });

function route(name: string, path: string, handler: HttpHandler): void {
  app.http(name, {
    route: path,
    methods: ["GET"],
    authLevel: "function",
    extraInputs: [df.input.durableClient()],
    handler,
  });
}

route("dashboardPage", "dashboard", () => dashboard.page());
route("dashboardData", "dashboard/data", (_request, context) => dashboard.data(df.getClient(context)));
route("dashboardLinkData", "dashboard/data/{id}", (request) => dashboard.link(request));
