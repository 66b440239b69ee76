// Replica management for Azure Database for MySQL Flexible Server through @azure/arm-mysql-flexible.
import type { TokenCredential } from "@azure/core-auth";
import type { MySQLManagementFlexibleServerClient } from "@azure/arm-mysql-flexible";
import { type AppConfig } from "../config/appConfig";
import { type ReplicaManager, type ReplicaTarget } from "./replicaManager";
import { armClientSettings, armServerOperations } from "./armServerOperations";

export function createFlexibleServerManager(
  target: ReplicaTarget,
  credential: TokenCredential,
  settings: Pick<AppConfig, "ARM_ENDPOINT" | "ARM_LRO_POLL_INTERVAL_MS">,
): ReplicaManager {
  // Loaded on first use so the function app's cold start does not pay for the ARM SDK.
  type FlexibleSdk = typeof import("@azure/arm-mysql-flexible");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@azure/arm-mysql-flexible") as FlexibleSdk;
  const { endpoint, clientOptions, poll } = armClientSettings(settings);
  const client: MySQLManagementFlexibleServerClient = new sdk.MySQLManagementFlexibleServerClient(
    credential,
    target.subscriptionId,
    clientOptions,
  );
  const { resourceGroup, serverName } = target;

  return {
    firewallDirection: "sourceAdmitsReplica",
    // The replica's own firewall rules admit clients such as this app; replication needs none, so the workflow
    // never calls the firewall operations for Flexible Server. They work, for completeness and for operators' tooling.
    ...armServerOperations({
      target,
      poll,
      getServer: () => client.servers.get(resourceGroup, serverName),
      kindFields: (server) => ({
        state: server.state ?? "",
        // Flexible Server has no sslEnforcement property: TLS is the require_secure_transport server parameter.
        sslEnforcement: null,
        publicNetworkAccess: server.network?.publicNetworkAccess ?? null,
        delegatedSubnetResourceId: server.network?.delegatedSubnetResourceId || null,
        highAvailabilityMode: server.highAvailability?.mode ?? null,
      }),
      firewallRules: client.firewallRules,
      getConfiguration: (name) => client.configurations.get(resourceGroup, serverName, name),
    }),
    async setServerParameter(name: string, value: string): Promise<void> {
      // @azure/arm-mysql-flexible 3.1 (api-version 2021-05-01) has Configurations_Update only: a PATCH, long-running.
      await client.configurations.beginUpdateAndWait(
        resourceGroup,
        serverName,
        name,
        { value, source: "user-override" },
        poll,
      );
    },
    async resetGtid(gtidSet: string): Promise<void> {
      await resetGtidThroughArm(client, endpoint, target, gtidSet, settings.ARM_LRO_POLL_INTERVAL_MS);
    },
    adminLogin(adminUser: string): string {
      // Flexible Server logs in with the plain name; tolerate a user@server pasted from Single Server habits.
      const at = adminUser.indexOf("@");
      return at > 0 && adminUser.slice(at + 1) === serverName ? adminUser.slice(0, at) : adminUser;
    },
  };
}

/**
 * `Servers_ResetGtid` of Microsoft.DBforMySQL/flexibleServers (azure-rest-api-specs,
 * specification/mysql/resource-manager/Microsoft.DBforMySQL/FlexibleServers/Server.tsp: `resetGtid is
 * ArmResourceActionAsyncBase<Server, ServerGtidSetParameter, OkResponse | ArmAcceptedLroResponse<...>>` with
 * `@useFinalStateVia("azure-async-operation")`; example stable/2023-12-30/examples/ServerResetGtid.json): POST
 * `.../flexibleServers/{name}/resetGtid?api-version=2023-12-30` with `{"gtidSet": "uuid:1-16"}` answers 200, or 202 with
 * Azure-AsyncOperation and Location headers; the result is the status monitor's.
 *
 * @azure/arm-mysql-flexible 3.1 (api-version 2021-05-01) has no such operation. It goes through the same client's
 * pipeline (`client.sendRequest`): the same credential and token scope, the same endpoint, the same settings (its own
 * retries off: the orchestrator's retry policy is the one layer that retries). A hand-built OperationSpec for
 * `sendOperationRequest` would need the generated serializer and core-lro's engine for the polling, which is as much
 * code as polling the status monitor here, with less control over the error codes the workflow decides on. A failed
 * operation is thrown in core-lro's words ("The long-running operation has failed. <code>. <message>") so that
 * toArmFailure / isTransientArmError judge it as they judge the SDK's own operations.
 */
const RESET_GTID_API_VERSION = "2023-12-30";

async function resetGtidThroughArm(
  client: MySQLManagementFlexibleServerClient,
  endpoint: string,
  target: ReplicaTarget,
  gtidSet: string,
  pollIntervalMs: number,
): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pipeline = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
  const path = `/subscriptions/${encodeURIComponent(target.subscriptionId)}/resourceGroups/${encodeURIComponent(target.resourceGroup)}/providers/Microsoft.DBforMySQL/flexibleServers/${encodeURIComponent(target.serverName)}/resetGtid`;
  const send = async (method: "POST" | "GET", url: string, body?: unknown) => {
    const response = await client.sendRequest(
      pipeline.createPipelineRequest({
        url,
        method,
        headers: pipeline.createHttpHeaders({
          "content-type": "application/json",
          accept: "application/json",
        }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    let json: { error?: { code?: string; message?: string }; status?: string } = {};
    try {
      json = response.bodyAsText ? (JSON.parse(response.bodyAsText) as typeof json) : {};
    } catch {
      json = {};
    }
    if (response.status >= 400) {
      throw new pipeline.RestError(json.error?.message ?? `${method} ${url} answered ${response.status}`, {
        code: json.error?.code ?? "UnexpectedResponse",
        statusCode: response.status,
        request: response.request,
        response,
      });
    }
    return { response, json };
  };
  const started = await send("POST", `${endpoint}${path}?api-version=${RESET_GTID_API_VERSION}`, { gtidSet });
  if (started.response.status !== 202) return;
  // The spec's final state is the status monitor's; a 202 with a Location header only is polled there (202 = running).
  const monitor = started.response.headers.get("azure-asyncoperation");
  const location = started.response.headers.get("location");
  if (!monitor && !location) throw new Error("resetGtid answered 202 without a URL to poll.");
  for (;;) {
    const retryAfter = Number(started.response.headers.get("retry-after") ?? "");
    await new Promise((resolve) =>
      setTimeout(resolve, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : pollIntervalMs),
    );
    if (!monitor) {
      if ((await send("GET", location!)).response.status !== 202) return;
      continue;
    }
    const { json } = await send("GET", monitor);
    const status = (json.status ?? "").toLowerCase();
    if (status === "succeeded") return;
    if (status === "failed" || status === "canceled" || status === "cancelled") {
      const code = json.error?.code ?? "OperationFailed";
      throw new Error(`The long-running operation has failed. ${code}. ${json.error?.message ?? status}`);
    }
  }
}
