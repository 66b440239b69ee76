// Contract test: docs/openapi.yaml is valid OpenAPI 3.1, and real responses of the running app match its schemas.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { ManualClock } from "../../dev/host/manualClock";
import { type HttpResult } from "../../dev/host/localHost";
import { type LocalStack } from "../../dev/stack/localStack";
import { startE2eStack } from "../e2e/e2eStack";
import { SCHEDULED_PROBE_INSTANCE } from "../../shared/workflow/probeOrchestrator";

jest.setTimeout(180_000);

const SPEC_FILE = join(__dirname, "..", "..", "docs", "openapi.yaml");

/**
 * Documented responses this test does not produce, with the reason. The last test fails when a documented response
 * is neither exercised nor listed here, so a new response in the spec needs a test or a reason.
 */
const LINK_OPERATIONS_REASON =
  "Rotation and cutover need a replicating link on real MySQL with writes and faults: tests/e2e/linkOperations.test.ts drives them through the same HTTP API.";
const NOT_EXERCISED: Record<string, string> = {
  "PATCH /api/replications/{id} 200": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 202": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 400": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 401": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 404": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 409": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 500": LINK_OPERATIONS_REASON,
  "PATCH /api/replications/{id} 503": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 200": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 202": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 400": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 401": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 404": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 409": LINK_OPERATIONS_REASON,
  "POST /api/replications/{id}/cutover 500": LINK_OPERATIONS_REASON,
  "GET /api/replications/{id}/operations/{operation} 200": LINK_OPERATIONS_REASON,
  "GET /api/replications/{id}/operations/{operation} 401": LINK_OPERATIONS_REASON,
  "GET /api/replications/{id}/operations/{operation} 404": LINK_OPERATIONS_REASON,
  "GET /api/replications/{id}/operations/{operation} 500": LINK_OPERATIONS_REASON,
  "POST /api/replications 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "GET /api/replications 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "GET /api/replications/{id} 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "DELETE /api/replications/{id} 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "POST /api/replications/{id}/revalidate 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "POST /api/replications 500":
    "Only after an unhandled exception (a bug); the host answers with an empty body.",
  "POST /api/replications 503":
    "Needs five failed attempts with the ARM retry policy's real waits here; tests/api/dryRunRetry.test.ts drives it with an injected clock.",
  "GET /api/replications 500":
    "Only after an unhandled exception (e.g. Table storage down); empty body from the host.",
  "GET /api/replications/{id} 500":
    "Only after an unhandled exception (e.g. Table storage down); empty body from the host.",
  "DELETE /api/replications/{id} 500":
    "Only after an unhandled exception (e.g. Table storage down); empty body from the host.",
  "GET /api/dashboard 200":
    "An HTML page, not JSON; tests/e2e/healthProbe.test.ts drives it in headless Chromium.",
  "GET /api/dashboard 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "GET /api/dashboard 500": "Only after an unhandled exception (a bug); empty body from the host.",
  "GET /api/dashboard/data 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "GET /api/dashboard/data 500":
    "Only after an unhandled exception (e.g. Table storage down); empty body from the host.",
  "GET /api/dashboard/data/{id} 401":
    "Function keys are enforced by the Azure Functions host; the local host has no keys.",
  "GET /api/dashboard/data/{id} 500":
    "Only after an unhandled exception (e.g. Table storage down); empty body from the host.",
  "POST /api/replications/{id}/revalidate 500":
    "Only after an unhandled exception (e.g. two revalidate requests racing into startNew); empty body from the host.",
};

const TERMINAL = new Set(["Completed", "Failed", "Terminated"]);

interface ResponseObject {
  description: string;
  headers?: Record<string, { required?: boolean; schema: unknown }>;
  content?: Record<string, { schema: unknown }>;
}

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, ResponseObject>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** Resolves a local `$ref` (`#/components/...`) of a non-schema object: responses, headers, parameters. */
function deref<T>(document: unknown, node: unknown): T {
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref !== "string") return node as T;
  if (!ref.startsWith("#/")) throw new Error(`only local references are supported: ${ref}`);
  let target: unknown = document;
  for (const part of ref.slice(2).split("/")) {
    target = (target as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    if (target === undefined) throw new Error(`unresolved reference ${ref}`);
  }
  return deref<T>(document, target);
}

/** The spec's schemas under one Ajv schema id, so `#/components/schemas/X` becomes `spec#/$defs/X`. */
function rewriteRefs<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"spec#/$defs/')) as T;
}

class Contract {
  readonly document: OpenApiDocument;
  readonly ajv: Ajv2020;
  readonly exercised = new Set<string>();
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; pattern: RegExp }[];

  constructor(text: string) {
    this.document = parse(text) as OpenApiDocument;
    // Strict on unknown keywords (typos in the spec); union types and `required` next to allOf parts are intended.
    this.ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      strictTypes: false,
      allowUnionTypes: true,
    });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: "spec", $defs: rewriteRefs(this.document.components.schemas) });
    this.#templates = Object.keys(this.document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    }));
  }

  /** Every documented "METHOD /template status". */
  documentedResponses(): string[] {
    const keys: string[] = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method] as Operation | undefined;
        if (!operation) continue;
        for (const status of Object.keys(operation.responses))
          keys.push(`${method.toUpperCase()} ${template} ${status}`);
      }
    }
    return keys;
  }

  operation(method: string, path: string): { template: string; operation: Operation } {
    const pathname = path.split("?")[0] ?? path;
    const found = this.#templates.find((entry) => entry.pattern.test(pathname));
    const operation = found
      ? (this.document.paths[found.template]?.[method.toLowerCase()] as Operation | undefined)
      : undefined;
    if (!found || !operation) throw new Error(`${method} ${path} is not described in docs/openapi.yaml`);
    return { template: found.template, operation };
  }

  validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema as object));
      this.#validators.set(key, validate);
    }
    return validate;
  }

  /** Whether a request body matches the operation's request schema (the spec must agree with the app's own checks). */
  requestErrors(method: string, path: string, body: unknown): string | null {
    const { template, operation } = this.operation(method, path);
    const schema = operation.requestBody?.content["application/json"]?.schema;
    if (!schema) throw new Error(`${method} ${template} documents no JSON request body`);
    const validate = this.validator(`${method} ${template} request`, schema);
    return validate(body) ? null : this.ajv.errorsText(validate.errors, { dataVar: "request" });
  }

  /** Fails with the validator's message unless the status, headers and body are what the spec documents. */
  check(method: string, path: string, response: HttpResult): void {
    const { template, operation } = this.operation(method, path);
    const key = `${method} ${template} ${response.status}`;
    const described = operation.responses[String(response.status)];
    if (!described) {
      throw new Error(
        `${key} is not a documented response (documented: ${Object.keys(operation.responses).join(", ")}); body: ${response.body}`,
      );
    }
    const spec = deref<ResponseObject>(this.document, described);
    for (const [name, headerRef] of Object.entries(spec.headers ?? {})) {
      const header = deref<{ required?: boolean; schema: unknown }>(this.document, headerRef);
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) throw new Error(`${key}: the required header ${name} is missing`);
        continue;
      }
      const validate = this.validator(`${key} header ${name}`, header.schema);
      if (!validate(value))
        throw new Error(`${key}: header ${name}: ${this.ajv.errorsText(validate.errors, { dataVar: name })}`);
    }
    const media = spec.content?.["application/json"];
    if (!media) {
      if (response.body !== "") throw new Error(`${key} documents no body, got: ${response.body}`);
    } else {
      const contentType = response.headers["content-type"] ?? "";
      if (!contentType.startsWith("application/json"))
        throw new Error(`${key}: content-type is "${contentType}", not application/json`);
      const validate = this.validator(key, media.schema);
      const body: unknown = JSON.parse(response.body);
      if (!validate(body)) {
        throw new Error(
          `${key}: the body does not match docs/openapi.yaml: ${this.ajv.errorsText(validate.errors, { dataVar: "body" })}\nbody: ${response.body}`,
        );
      }
    }
    this.exercised.add(key);
  }
}

describe("docs/openapi.yaml", () => {
  const contract = new Contract(readFileSync(SPEC_FILE, "utf8"));
  const clock = new ManualClock({ startMs: Date.now(), autoAdvance: false });
  let stack: LocalStack;

  beforeAll(async () => {
    // Virtual time stands still unless advanced, so a provisioning waits at its first verify timer: "while running".
    stack = await startE2eStack({ clock });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  type Method = "GET" | "POST" | "DELETE";
  async function call(
    method: Method,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, string>; json: Record<string, unknown> }> {
    const response = await stack.host.invokeHttp({ method, path, ...(body !== undefined ? { body } : {}) });
    contract.check(method, path, response);
    return {
      status: response.status,
      headers: response.headers,
      json: response.body === "" ? {} : response.json<Record<string, unknown>>(),
    };
  }

  /** Advances virtual time until the instance ends (the provisioning's verify loop waits on durable timers). */
  async function finish(instanceId: string): Promise<void> {
    for (let second = 0; second < 300; second += 1) {
      const snapshot = stack.host.instance(instanceId);
      if (snapshot && TERMINAL.has(snapshot.runtimeStatus)) break;
      await stack.host.idle();
      await clock.advance(1000);
    }
    const final = await stack.host.waitForInstance(instanceId, { timeoutMs: 60_000 });
    expect(final.runtimeStatus).toBe("Completed");
  }

  /** One 503 from Resource Manager for the firewall rule: the run retries on a durable timer, parked until `finish`. */
  function holdAtFirewall(): void {
    stack.emulators.arm.faults.add({ method: "PUT", pathIncludes: "/firewallRules/", status: 503, times: 1 });
  }

  function validRequest(
    patch: (body: ReturnType<LocalStack["exampleRequest"]>) => unknown = (body) => body,
  ): unknown {
    const body = patch(stack.exampleRequest());
    const problems = contract.requestErrors("POST", "/api/replications", body);
    if (problems) throw new Error(`a request the app accepts does not match the request schema: ${problems}`);
    return body;
  }

  let id = "";

  it("is a valid OpenAPI 3.1 document whose schemas compile under JSON Schema 2020-12", async () => {
    expect(contract.document.openapi).toMatch(/^3\.1\./);
    const cli = require.resolve("@seriousme/openapi-schema-validator/bin/validate-api-cli.js");
    // The validator is an ES module; its CLI runs it in a plain Node process.
    const result = await promisify(execFile)(process.execPath, [cli, SPEC_FILE]).catch(
      (error: { stdout?: string }) => ({
        stdout: error.stdout ?? "",
      }),
    );
    const report = JSON.parse(result.stdout) as { valid: boolean; errors?: unknown };
    if (!report.valid)
      throw new Error(`docs/openapi.yaml is not valid OpenAPI: ${JSON.stringify(report.errors, null, 2)}`);
    for (const name of Object.keys(contract.document.components.schemas)) {
      expect(contract.ajv.getSchema(`spec#/$defs/${name}`)).toBeDefined();
    }
  });

  it("answers 400 with every problem, 413 for large bodies and 404 for unknown ids", async () => {
    const bad = {
      source: { host: "", port: 70_000, replicationUser: "repl", replicationPassword: "plain-text" },
      replica: { kind: "postgresql" },
      surprise: true,
    };
    expect(contract.requestErrors("POST", "/api/replications", bad)).not.toBeNull();
    const invalid = await call("POST", "/api/replications", bad);
    expect(invalid.status).toBe(400);
    const paths = (invalid.json.error as { details: { path: string }[] }).details.map(
      (detail) => detail.path,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        "source.host",
        "source.port",
        "source.replicationPassword",
        "replica.kind",
        "surprise",
      ]),
    );

    const badSecret = validRequest((body) => body);
    const withBothSecrets = JSON.parse(JSON.stringify(badSecret)) as { replica: { adminPassword: unknown } };
    withBothSecrets.replica.adminPassword = {
      appSetting: "REPLICATION_SECRET_X",
      keyVaultSecret: "https://x/secrets/y",
    };
    expect(contract.requestErrors("POST", "/api/replications", withBothSecrets)).not.toBeNull();
    expect((await call("POST", "/api/replications", withBothSecrets)).status).toBe(400);

    const notJson = await call("POST", "/api/replications", "{ not json");
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatchObject({ details: [{ path: "(body)" }] });

    expect((await call("POST", "/api/replications", `"${"x".repeat(300 * 1024)}"`)).status).toBe(413);
    const plain = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(validRequest()),
    });
    contract.check("POST", "/api/replications", plain);
    expect(plain.status).toBe(415);

    for (const path of ["/api/replications/rpl-00000000000000000000", "/api/replications/not-an-id"]) {
      expect((await call("GET", path)).status).toBe(404);
      expect((await call("DELETE", path)).status).toBe(404);
      expect((await call("POST", `${path}/revalidate`)).status).toBe(404);
    }
    const list = await call("GET", "/api/replications");
    expect(list.status).toBe(200);
  });

  it("dry-runs: 200 with the report, 422 for a permanent failure", async () => {
    const report = await call("POST", "/api/replications", { ...(validRequest() as object), dryRun: true });
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ dryRun: true, wouldSucceed: true });

    // A replica that does not exist is a failing check (200); a secret that cannot be resolved ends the dry run.
    const unresolvable = validRequest((body) => ({
      ...body,
      replica: { ...body.replica, adminPassword: { appSetting: "REPLICATION_SECRET_NOT_SET" } },
      dryRun: true,
    }));
    const failure = await call("POST", "/api/replications", unresolvable);
    expect(failure.status).toBe(422);
    expect(failure.json.error).toMatchObject({ code: "SECRET_UNAVAILABLE" });
  });

  it("starts with 202 and Location, shows the running step, refuses a second POST with 409", async () => {
    holdAtFirewall();
    const started = await call("POST", "/api/replications", validRequest());
    expect(started.status).toBe(202);
    id = String(started.json.id);
    expect(started.headers.location).toBe(started.json.statusUrl);
    await stack.host.idle();

    const running = await call("GET", `/api/replications/${id}`);
    expect(running.status).toBe(200);
    expect(running.json).toMatchObject({ state: "openingFirewall", runtimeStatus: "Running" });

    const again = await call("POST", "/api/replications", validRequest());
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "ProvisioningInProgress", id });

    // Not registered yet, but running: DELETE waits for the provisioning to finish.
    const early = await call("DELETE", `/api/replications/${id}`);
    expect(early.status).toBe(409);
    expect(early.json.error).toMatchObject({ code: "ProvisioningInProgress" });

    await finish(id);
    const done = await call("GET", `/api/replications/${id}`);
    expect(done.json).toMatchObject({ state: "replicating", runtimeStatus: "Completed" });
  });

  it("repeats idempotently (200), refuses another source (409), dry-runs and lists a linked replica", async () => {
    const same = await call("POST", "/api/replications", validRequest());
    expect(same.status).toBe(200);
    expect(same.json.state).toBe("replicating");

    const otherPort = validRequest((body) => ({
      ...body,
      source: { ...body.source, port: body.source.port + 1 },
    }));
    const conflict = await call("POST", "/api/replications", otherPort);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ code: "ReplicaAlreadyLinked", id });

    expect(
      (await call("POST", "/api/replications", { ...(validRequest() as object), dryRun: true })).status,
    ).toBe(200);

    const list = await call("GET", "/api/replications");
    expect(list.json.replications).toEqual([
      expect.objectContaining({ id, state: "replicating", health: null }),
    ]);
  });

  it("re-validates (202, 409 while running) and shows the health", async () => {
    // Resource Manager answers the re-validation's first read slowly, so the second POST finds it running.
    stack.emulators.arm.faults.add({
      method: "GET",
      pathIncludes: `/servers/${stack.serverName}`,
      delayMs: 1500,
      times: 1,
    });
    const accepted = await call("POST", `/api/replications/${id}/revalidate`);
    expect(accepted.status).toBe(202);
    const again = await call("POST", `/api/replications/${id}/revalidate`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "RevalidationInProgress" });
    await finish(String(accepted.json.revalidationInstanceId));

    const view = await call("GET", `/api/replications/${id}`);
    expect(view.json.health).toMatchObject({ id, state: "healthy" });
    const list = await call("GET", "/api/replications");
    expect(list.json.replications).toEqual([
      expect.objectContaining({ id, health: expect.objectContaining({ state: "healthy" }) }),
    ]);
  });

  it("tears down (202), shows removed, answers 200 to a second DELETE and 409 to re-validation", async () => {
    const removal = await call("DELETE", `/api/replications/${id}`);
    expect(removal.status).toBe(202);
    expect(removal.headers.location).toBe(removal.json.statusUrl);
    await call("GET", `/api/replications/${id}`);
    await finish(`${id}-teardown`);

    const removed = await call("GET", `/api/replications/${id}`);
    expect(removed.json).toMatchObject({
      state: "removed",
      teardown: { runtimeStatus: "Completed", output: { state: "removed" } },
    });

    const second = await call("DELETE", `/api/replications/${id}`);
    expect(second.status).toBe(200);
    expect(second.json.state).toBe("removed");

    const revalidate = await call("POST", `/api/replications/${id}/revalidate`);
    expect(revalidate.status).toBe(409);
    expect(revalidate.json.error).toMatchObject({ code: "NotReplicating", id });
  });

  it("re-provisions a removed link: the view shows the run, DELETE waits for it with 409", async () => {
    holdAtFirewall();
    const started = await call("POST", "/api/replications", validRequest());
    expect(started.status).toBe(202);
    await stack.host.idle();

    const running = await call("GET", `/api/replications/${id}`);
    expect(running.json).toMatchObject({ state: "openingFirewall", runtimeStatus: "Running" });
    const removal = await call("DELETE", `/api/replications/${id}`);
    expect(removal.status).toBe(409);
    expect(removal.json.error).toMatchObject({ code: "ProvisioningInProgress", id });
    const list = await call("GET", "/api/replications");
    expect(list.json.replications).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, state: "provisioning" })]),
    );

    await finish(id);
    expect((await call("GET", `/api/replications/${id}`)).json.state).toBe("replicating");
  });

  it("shows a failed provisioning with its error", async () => {
    const started = await call(
      "POST",
      "/api/replications",
      validRequest((body) => ({ ...body, replica: { ...body.replica, serverName: "missing-replica" } })),
    );
    expect(started.status).toBe(202);
    const failedId = String(started.json.id);
    await finish(failedId);
    const view = await call("GET", `/api/replications/${failedId}`);
    expect(view.json).toMatchObject({
      state: "failed",
      error: expect.objectContaining({ code: expect.any(String) }),
    });
  });

  it("serves the dashboard's data for every link and for one link after a probe pass", async () => {
    const before = await call("GET", "/api/dashboard/data");
    expect(before.status).toBe(200);
    await stack.host.fireTimer("healthProbeTimer");
    await stack.host.idle();
    await stack.host.waitForInstance(SCHEDULED_PROBE_INSTANCE, { timeoutMs: 60_000 });
    const after = await call("GET", "/api/dashboard/data");
    const links = after.json.links as { id: string; state: string; probe: unknown }[];
    const active = links.find((link) => link.state === "replicating");
    expect(active?.probe).toEqual(expect.objectContaining({ state: "healthy" }));
    const one = await call("GET", `/api/dashboard/data/${active?.id ?? ""}`);
    expect(one.json.transitions).toEqual([expect.objectContaining({ from: null, state: "healthy" })]);
    expect((await call("GET", "/api/dashboard/data/not-an-id")).status).toBe(404);
  });

  it("exercises every documented response or says why not", () => {
    const documented = contract.documentedResponses();
    const unaccounted = documented.filter((key) => !contract.exercised.has(key) && !(key in NOT_EXERCISED));
    expect(unaccounted).toEqual([]);
    const stale = Object.keys(NOT_EXERCISED).filter(
      (key) => !documented.includes(key) || contract.exercised.has(key),
    );
    expect(stale).toEqual([]);
  });
});
