// A dry run under transient faults: retried with the orchestration's own retry policies, then a 503 with Retry-After.
import { HttpRequest, InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { type LocalStack } from "../../dev/stack/localStack";
import { appConfig } from "../../shared/config/appConfig";
import { createReplicationsApi } from "../../shared/api/replicationsApi";
import { apiWorkflowDependencies } from "../../shared/workflow/dependencies";
import { ARM_RETRY } from "../../shared/workflow/retryPolicies";
import { retryDelayMs } from "../../shared/workflow/runWithRetry";
import { startE2eStack } from "../e2e/e2eStack";

jest.setTimeout(180_000);

describe("dry run under transient faults", () => {
  let stack: LocalStack;
  const waits: number[] = [];
  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(() => {
    waits.length = 0;
  });

  // The API as functions/replicationsHttp.ts wires it, with a clock that records waits instead of sleeping.
  function dryRun(): Promise<{
    status: number;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  }> {
    const api = createReplicationsApi({
      config: appConfig,
      workflow: apiWorkflowDependencies,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const request = new HttpRequest({
      method: "POST",
      url: "http://localhost/api/replications",
      headers: { "content-type": "application/json" },
      body: { string: JSON.stringify({ ...stack.exampleRequest(), dryRun: true }) },
    });
    return api.start(request, {} as DurableClient, new InvocationContext()).then((response) => ({
      status: response.status ?? 200,
      headers: (response.headers ?? {}) as Record<string, string>,
      body: response.jsonBody as Record<string, unknown>,
    }));
  }

  const serverPath = () => new RegExp(`/servers/${stack.serverName}$`, "i");

  it("answers the report after one ARM 429, having waited as the orchestration's ARM retry policy does", async () => {
    stack.emulators.arm.faults.add({ method: "GET", pathRegex: serverPath(), status: 429, times: 1 });
    const response = await dryRun();
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ dryRun: true, wouldSucceed: true });
    expect(waits).toEqual([retryDelayMs(ARM_RETRY, 0)]);
    expect(waits).toEqual([ARM_RETRY.firstRetryIntervalInMilliseconds]);
  });

  it("answers 503 with Retry-After, never a bare 500, when ARM keeps failing", async () => {
    const fault = stack.emulators.arm.faults.add({
      method: "GET",
      pathRegex: serverPath(),
      status: 503,
      times: Infinity,
    });
    try {
      const response = await dryRun();
      expect(response.status).toBe(503);
      expect(Number(response.headers["Retry-After"])).toBeGreaterThan(0);
      expect(response.body).toMatchObject({
        error: {
          code: "ValidationUnavailable",
          message: expect.stringMatching(/after 5 attempts/) as string,
          remedy: expect.any(String) as string,
        },
      });
      expect(waits).toEqual([0, 1, 2, 3].map((attempt) => retryDelayMs(ARM_RETRY, attempt)));
      expect(fault.hits).toBe(ARM_RETRY.maxNumberOfAttempts);
    } finally {
      fault.remove();
    }
  });
});
