// The dashboard page and its JSON data (route prefix /api, function keys like the rest of the API): wiring only.
import { createDashboardApi } from "../shared/api/dashboardApi";
import { probeRuntime } from "../shared/workflow/probeRuntime";
import { durableHttpRoute } from "./wiring/durableTriggers";

const dashboard = createDashboardApi({ probe: probeRuntime });

durableHttpRoute("dashboardPage", ["GET"], "dashboard", () => dashboard.page());
durableHttpRoute("dashboardData", ["GET"], "dashboard/data", (_request, client) => dashboard.data(client));
durableHttpRoute("dashboardLinkData", ["GET"], "dashboard/data/{id}", (request) => dashboard.link(request));
