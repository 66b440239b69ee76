// The dashboard page and its JSON data (route prefix /api, function keys like the rest of the API): wiring only.
import { createDashboardApi } from "../shared/api/dashboardApi";
import { apiProbeRuntime } from "../shared/workflow/probeRuntime";
import { durableHttpRoute } from "./wiring/durableTriggers";

// The dashboard reads through clients that keep the SDK's retries: nothing around a request retries it.
const dashboard = createDashboardApi({ probe: apiProbeRuntime });

durableHttpRoute("dashboardPage", ["GET"], "dashboard", () => dashboard.page());
durableHttpRoute("dashboardData", ["GET"], "dashboard/data", (_request, client) => dashboard.data(client));
durableHttpRoute("dashboardLinkData", ["GET"], "dashboard/data/{id}", (request) => dashboard.link(request));
