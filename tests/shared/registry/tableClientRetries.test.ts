// One retry layer per call: an activity's Table client sends a failing call once (its retry policy retries), the API's retries it itself.
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import {
  createLinkRegistry,
  createTableClient,
  type TableClientRetries,
} from "../../../shared/registry/linkRegistry";
import { isTransientSdkError } from "../../../shared/errors/serviceErrors";
import { apiWorkflowDependencies, workflowDependencies } from "../../../shared/workflow/dependencies";
import { apiProbeRuntime, probeRuntime } from "../../../shared/workflow/probeRuntime";

/** Azurite's well-known development key: the client signs with it, the server below never checks it. */
const DEV_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A Table endpoint that is down: every request is answered 503, as Table storage does when it is busy. */
function unavailableTableService(): Promise<{ requests: string[]; url: string; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? ""} ${request.url ?? ""}`);
    request.resume();
    response.writeHead(503, {
      "Content-Type": "application/json;odata=minimalmetadata",
      // Table storage's hint; honoured by the SDK's policy, so the API-side client retries without long waits here.
      "retry-after-ms": "1",
    });
    response.end(
      JSON.stringify({ "odata.error": { code: "ServerBusy", message: { value: "The server is busy." } } }),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ requests, url: `http://127.0.0.1:${port}/devstoreaccount1`, server });
    });
  });
}

const LINK_ID = "rpl-0123456789abcdef0123";

/** What a call failed with: the error itself, to look at. */
function failureOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error("the call succeeded against a service that only answers 503");
    },
    (error: unknown) => error,
  );
}

describe("Table clients' own retries", () => {
  let service: Awaited<ReturnType<typeof unavailableTableService>>;
  let connectionString: string;
  const savedStorage = process.env.AzureWebJobsStorage;
  beforeAll(async () => {
    service = await unavailableTableService();
    connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=${service.url};`;
    // Read once per process (this test file), on first use by the dependencies below.
    process.env.AzureWebJobsStorage = connectionString;
  });
  beforeEach(() => {
    service.requests.length = 0;
  });
  afterAll(async () => {
    process.env.AzureWebJobsStorage = savedStorage;
    await new Promise<void>((resolve) => service.server.close(() => resolve()));
  });

  function registryAt(retries: TableClientRetries) {
    const settings = {
      AzureWebJobsStorage: connectionString,
      AzureWebJobsStorage__accountName: undefined,
      AzureWebJobsStorage__tableServiceUri: undefined,
      REGISTRY_TABLE_NAME: "ReplicationLinks",
    };
    return createLinkRegistry(
      createTableClient(
        settings,
        settings.REGISTRY_TABLE_NAME,
        () => {
          throw new Error("a connection string needs no credential");
        },
        retries,
      ),
    );
  }

  it("under an activity, a 503 reaches the server once and is thrown as transient for the retry policy", async () => {
    const error = await failureOf(registryAt({ sdkRetries: false }).get(LINK_ID));
    expect(service.requests).toEqual(["POST /devstoreaccount1/Tables"]);
    expect(error).toMatchObject({ statusCode: 503 });
    expect(isTransientSdkError(error)).toBe(true);
  });

  it("for the HTTP API, the SDK retries the 503 itself before giving up", async () => {
    const error = await failureOf(registryAt({ sdkRetries: true }).get(LINK_ID));
    expect(service.requests.length).toBeGreaterThan(1);
    expect(error).toMatchObject({ statusCode: 503 });
  });

  // As functions/ wires them: the activities' stores on one side, the HTTP API's and the dashboard's on the other.
  const activitySide: [string, () => Promise<unknown>][] = [
    ["registry", () => workflowDependencies().registry.get(LINK_ID)],
    ["health history", () => workflowDependencies().healthHistory.latest(LINK_ID, 5)],
    ["load progress", () => workflowDependencies().loadProgress.read(LINK_ID)],
    ["probe store", () => probeRuntime().store.currentAll()],
    ["probe's registry range reads", () => probeRuntime().registryTable.getEntity("link", LINK_ID)],
  ];
  const requestSide: [string, () => Promise<unknown>][] = [
    ["registry", () => apiWorkflowDependencies().registry.get(LINK_ID)],
    ["health history", () => apiWorkflowDependencies().healthHistory.latest(LINK_ID, 5)],
    ["load progress", () => apiWorkflowDependencies().loadProgress.read(LINK_ID)],
    ["probe store", () => apiProbeRuntime().store.currentAll()],
    ["probe's registry range reads", () => apiProbeRuntime().registryTable.getEntity("link", LINK_ID)],
  ];

  it.each(activitySide)("the activities' %s sends a failing call once", async (_name, call) => {
    expect(await failureOf(call())).toMatchObject({ statusCode: 503 });
    expect(service.requests).toHaveLength(1);
  });

  it.each(requestSide)("the HTTP API's and the dashboard's %s retry it", async (_name, call) => {
    expect(await failureOf(call())).toMatchObject({ statusCode: 503 });
    expect(service.requests.length).toBeGreaterThan(1);
  });
});
