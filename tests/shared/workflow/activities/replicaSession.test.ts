// The replica session scaffold: refused secrets, transient versus permanent MySQL errors, and secrets kept out of every message.
import { type AddressInfo, createServer, type Server } from "node:net";
import { InvocationContext } from "@azure/functions";
import { createReadReplicaProgressActivity } from "../../../../shared/workflow/activities/cutoverActivities";
import {
  classifyErrors,
  armOutcome,
  succeeded,
} from "../../../../shared/workflow/activities/activityOutcome";
import { type WorkflowDependencies } from "../../../../shared/workflow/dependencies";
import { SecretResolutionError } from "../../../../shared/secrets/secretResolver";

const context = new InvocationContext({ functionName: "test" });
const ADMIN_PASSWORD = "s3cret-admin-pw";
const FQDN = "my-replica.mysql.database.azure.com";

const input = {
  replica: {
    kind: "flexible" as const,
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    resourceGroup: "rg-data",
    serverName: "my-replica",
    adminUser: "azureadmin",
    adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
  },
  fqdn: FQDN,
};

/**
 * A server that refuses every connection the way MySQL does before the handshake: one ERR packet (0xff, errno, text).
 * The text carries the password, as server messages that echo connection details can.
 */
async function refusingServer(errno: number, text: string): Promise<Server> {
  const payload = Buffer.concat([Buffer.from([0xff, errno & 0xff, errno >> 8]), Buffer.from(text)]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 0]);
  const server = createServer((socket) => socket.end(Buffer.concat([header, payload])));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

function deps(port: number, resolve: () => Promise<string> = () => Promise.resolve(ADMIN_PASSWORD)) {
  return () =>
    ({
      config: {
        REPLICA_ADDRESS_OVERRIDES: { [FQDN]: `127.0.0.1:${port}` },
        REPLICA_TLS_CA_FILE: undefined,
        MYSQL_CONNECT_TIMEOUT_SECONDS: 5,
      },
      secrets: { resolve },
      replicaManager: () => ({ adminLogin: (user: string) => user }),
    }) as unknown as WorkflowDependencies;
}

describe("withReplicaSession (through readReplicaProgress)", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });
  const portOf = (server: Server) => (server.address() as AddressInfo).port;

  it("returns a permanent MySQL error as the activity's failure, the password redacted", async () => {
    const server = await refusingServer(
      1130,
      `Host '10.0.0.1' is not allowed to connect (tried ${ADMIN_PASSWORD})`,
    );
    servers.push(server);
    const result = await createReadReplicaProgressActivity(deps(portOf(server)))(input, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("REPLICA_UNREADABLE");
    expect(result.error.message).toMatch(/error 1130.*is not allowed to connect/);
    expect(JSON.stringify(result)).not.toContain(ADMIN_PASSWORD);
  });

  it("throws a transient MySQL error for the retry policy, the password redacted", async () => {
    const server = await refusingServer(1040, `Too many connections (${ADMIN_PASSWORD})`);
    servers.push(server);
    const thrown = await createReadReplicaProgressActivity(deps(portOf(server)))(input, context).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(thrown).toMatchObject({ name: "TransientActivityError" });
    expect(thrown?.message).toMatch(/Too many connections/);
    expect(thrown?.message).not.toContain(ADMIN_PASSWORD);
  });

  it("returns a permanently refused secret as SECRET_UNAVAILABLE and throws a transient one", async () => {
    const refused = deps(1, () =>
      Promise.reject(
        new SecretResolutionError("The secret is bound to another server.", false, "Re-tag it."),
      ),
    );
    await expect(createReadReplicaProgressActivity(refused)(input, context)).resolves.toEqual({
      ok: false,
      error: {
        code: "SECRET_UNAVAILABLE",
        message: "The secret is bound to another server.",
        remedy: "Re-tag it.",
      },
    });
    const throttled = deps(1, () =>
      Promise.reject(new SecretResolutionError("Key Vault throttled (429).", true)),
    );
    await expect(createReadReplicaProgressActivity(throttled)(input, context)).rejects.toThrow(/throttled/);
  });
});

describe("classifyErrors", () => {
  const refused = ({ errno, message }: { errno: number | undefined; message: string }) => ({
    code: "REFUSED",
    message: `refused (${errno ?? "-"}): ${message}`,
    remedy: "fix it",
  });
  const mysqlError = (errno: number, message: string) => Object.assign(new Error(message), { errno });

  it("redacts a failure the work returns itself", async () => {
    const outcome = await classifyErrors(["pw-123"], refused, () =>
      Promise.resolve({ ok: false as const, error: { code: "X", message: "echoed pw-123", remedy: "r" } }),
    );
    expect(outcome).toEqual({ ok: false, error: { code: "X", message: "echoed ***", remedy: "r" } });
  });

  it("lets an error an inner scaffold classified pass through unchanged", async () => {
    const inner = classifyErrors(["inner-pw"], refused, () =>
      Promise.reject(mysqlError(2013, "lost inner-pw")),
    );
    const outer = classifyErrors(["outer-pw"], refused, () => inner);
    await expect(outer).rejects.toMatchObject({ name: "TransientActivityError", message: "lost ***" });
  });

  it("uses the given predicate: an undo retries every failure", async () => {
    await expect(
      classifyErrors(
        [],
        refused,
        () => Promise.reject(mysqlError(1045, "denied")),
        () => true,
      ),
    ).rejects.toMatchObject({ name: "TransientActivityError" });
    await expect(classifyErrors([], refused, () => Promise.resolve(succeeded(1)))).resolves.toEqual(
      succeeded(1),
    );
  });
});

describe("armOutcome", () => {
  const refused = (failure: { code: string; message: string }) => ({
    code: "ARM_REFUSED",
    message: `${failure.code}: ${failure.message}`,
    remedy: "grant",
  });
  const restError = (statusCode: number, code: string) =>
    Object.assign(new Error(`${code} happened`), { name: "RestError", statusCode, code });

  it("throws throttling and server errors for ARM_RETRY and returns a refusal", async () => {
    await expect(
      armOutcome(() => Promise.reject(restError(429, "TooManyRequests")), refused),
    ).rejects.toMatchObject({
      name: "TransientActivityError",
    });
    await expect(
      armOutcome(() => Promise.reject(restError(403, "AuthorizationFailed")), refused),
    ).resolves.toEqual({
      ok: false,
      error: {
        code: "ARM_REFUSED",
        message: "AuthorizationFailed: AuthorizationFailed happened",
        remedy: "grant",
      },
    });
  });
});
