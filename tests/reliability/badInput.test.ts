// Property-based hostile input: 1,000+ malformed provisioning bodies, each answered 4xx naming the field, with nothing started or changed.
import fc from "fast-check";
import { type LocalStack } from "../../dev/stack/localStack";
import { everythingRecorded, expectNoSecrets, startE2eStack } from "../e2e/e2eStack";
import { appConfig } from "../../shared/config/appConfig";
import { provisionRequestSchema } from "../../shared/request/provisionRequest";

jest.setTimeout(240_000);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

/** One hostile request: a JSON value (or raw text) and where the problem is (the path the answer must name). */
interface BadRequest {
  /** The JSON value sent; ignored when raw is given. */
  body?: Json;
  /** Text sent as is (not JSON, or not parseable). */
  raw?: string;
  /** Segments of the mutated location; [] for the whole body. */
  at: Segment[];
  /** A literal password planted in the body: it must never come back in a response. */
  plantedSecret?: string;
}

/** The example request plus every optional section, so that each field has something to break. */
function fullValidBody(stack: LocalStack): Json {
  const example = stack.exampleRequest();
  const [file, position] = ["mysql-bin.000001", 4];
  return JSON.parse(
    JSON.stringify({
      ...example,
      binlog: { file, position },
      policy: { skipErrors: [{ errno: 1062, maxSkips: 3 }] },
      heartbeat: {
        writerUser: "heartbeat",
        writerPassword: { appSetting: "REPLICATION_SECRET_HEARTBEAT" },
        database: "hb",
      },
    }),
  ) as Json;
}

function formatPath(at: readonly Segment[]): string {
  if (at.length === 0) return "(body)";
  return at
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${segment}`,
    )
    .join("");
}

function parsePath(path: string): Segment[] | null {
  if (path === "(body)") return [];
  const segments: Segment[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/g;
  for (const match of path.matchAll(pattern)) {
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  }
  return formatPath(segments) === path ? segments : null;
}

/** Every path of the value: objects' keys and arrays' indexes, depth first. */
function allPaths(value: Json, prefix: Segment[] = []): Segment[][] {
  const here: Segment[][] = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((item, i) => allPaths(item, [...prefix, i])));
  if (value !== null && typeof value === "object") {
    return here.concat(Object.entries(value).flatMap(([key, item]) => allPaths(item, [...prefix, key])));
  }
  return here;
}

function get(value: Json | undefined, at: readonly Segment[]): Json | undefined {
  let current = value;
  for (const segment of at) {
    if (current === null || typeof current !== "object") return undefined;
    current = Array.isArray(current)
      ? typeof segment === "number"
        ? current[segment]
        : undefined
      : Object.prototype.hasOwnProperty.call(current, segment)
        ? current[String(segment)]
        : undefined;
  }
  return current;
}

function setAt(value: Json, at: readonly Segment[], replacement: Json | undefined): Json {
  if (at.length === 0) return replacement ?? null;
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  const parent = get(copy, at.slice(0, -1));
  const last = at[at.length - 1]!;
  if (parent === null || typeof parent !== "object") throw new Error(`no parent at ${formatPath(at)}`);
  if (Array.isArray(parent)) {
    if (replacement === undefined) parent.splice(Number(last), 1);
    else parent[Number(last)] = replacement;
  } else if (replacement === undefined) delete parent[String(last)];
  else parent[String(last)] = replacement;
  return copy;
}

/** A path names a real location: its parent exists in the body as an object or array (the field itself may be the missing one). */
function pointsAtRealLocation(body: Json | undefined, path: string): boolean {
  const segments = parsePath(path);
  if (!segments) return false;
  if (segments.length === 0) return true;
  const parent = get(body, segments.slice(0, -1));
  return parent !== null && typeof parent === "object";
}

function isPrefix(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length <= b.length && a.every((segment, i) => segment === b[i]);
}

const STRING_FIELDS = [
  ["source", "host"],
  ["source", "replicationUser"],
  ["source", "caCertificate"],
  ["source", "inspectionUser"],
  ["replica", "kind"],
  ["replica", "subscriptionId"],
  ["replica", "resourceGroup"],
  ["replica", "serverName"],
  ["replica", "adminUser"],
  ["binlog", "file"],
  ["heartbeat", "writerUser"],
  ["heartbeat", "database"],
] as const;
const NUMBER_FIELDS = [
  ["source", "port"],
  ["binlog", "position"],
  ["policy", "skipErrors", 0, "errno"],
  ["policy", "skipErrors", 0, "maxSkips"],
] as const;
const SECRET_FIELDS = [
  ["source", "replicationPassword"],
  ["source", "inspectionPassword"],
  ["replica", "adminPassword"],
  ["heartbeat", "writerPassword"],
] as const;
const OBJECT_FIELDS = [
  ["source"],
  ["replica"],
  ["binlog"],
  ["policy"],
  ["heartbeat"],
  ["policy", "skipErrors", 0],
] as const;
const REQUIRED_FIELDS = [
  ["source"],
  ["replica"],
  ["source", "host"],
  ["source", "port"],
  ["source", "replicationUser"],
  ["source", "replicationPassword"],
  ["source", "inspectionUser"],
  ["source", "inspectionPassword"],
  ["replica", "kind"],
  ["replica", "subscriptionId"],
  ["replica", "resourceGroup"],
  ["replica", "serverName"],
  ["replica", "adminUser"],
  ["replica", "adminPassword"],
  ["binlog", "file"],
  ["binlog", "position"],
  ["policy", "skipErrors"],
  ["policy", "skipErrors", 0, "errno"],
  ["policy", "skipErrors", 0, "maxSkips"],
  ["heartbeat", "writerUser"],
  ["heartbeat", "writerPassword"],
  ["heartbeat", "database"],
  ["source", "replicationPassword", "keyVaultSecret"],
] as const;
/** Names that are real fields somewhere in the schema: adding one is not necessarily an error (dryRun: true is valid). */
const SCHEMA_KEYS = new Set([
  "dryRun",
  "binlog",
  "policy",
  "heartbeat",
  "caCertificate",
  "inspectionUser",
  "inspectionPassword",
]);

/** Wrong-typed values: deep garbage included, never a string (which might be valid for a string field). */
const nonString: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 5 }) as fc.Arbitrary<Json>,
  fc
    .letrec<{ tree: Json }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constant(null),
        fc.array(tie("tree"), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie("tree"), { maxKeys: 3 }),
      ),
    }))
    .tree.map((tree): Json => [tree]),
);
const nonNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("80", "3306", "0x10", ""),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const controlCharacter = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
const literalPassword = fc
  .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom("'", '"', "\\", "--", "#", "/*", "😀"))
  .map(([text, hostile]) => `pw-${text}${hostile}${text.length}`);

function badRequests(valid: Json, vaultUrl: string): fc.Arbitrary<BadRequest> {
  const wrongStringType = fc
    .tuple(fc.constantFrom(...STRING_FIELDS), nonString)
    .map(([at, value]): BadRequest => ({ body: setAt(valid, at, value), at: [...at] }));
  const wrongNumber = fc
    .tuple(
      fc.constantFrom(...NUMBER_FIELDS),
      fc.oneof(
        nonNumber,
        fc.double({ min: 1.01, max: 65_534.99, noNaN: true }).filter((n) => !Number.isInteger(n)),
      ),
    )
    .map(([at, value]): BadRequest => ({ body: setAt(valid, at, value), at: [...at] }));
  const portOutOfRange = fc
    .oneof(fc.integer({ max: 0 }), fc.integer({ min: 65_536 }), fc.constantFrom(0, -1, 65_536, 1e21, -1e21))
    .map((port): BadRequest => ({ body: setAt(valid, ["source", "port"], port), at: ["source", "port"] }));
  const missing = fc
    .constantFrom(...REQUIRED_FIELDS)
    .map((at): BadRequest => ({ body: setAt(valid, at, undefined), at: [...at] }));
  const extra = fc
    .tuple(
      fc.constantFrom<Segment[]>(
        [],
        ["source"],
        ["replica"],
        ["binlog"],
        ["policy"],
        ["heartbeat"],
        ["source", "replicationPassword"],
        ["replica", "adminPassword"],
        ["policy", "skipErrors", 0],
      ),
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    )
    .filter(([parent, key]) => {
      const container = get(valid, parent);
      return (
        container !== null &&
        typeof container === "object" &&
        !Object.prototype.hasOwnProperty.call(container, key) &&
        // "__proto__" does not survive as an own key of a JSON.parse'd copy; a dot or bracket would make the path ambiguous.
        key !== "__proto__" &&
        !SCHEMA_KEYS.has(key) &&
        !/[.[\]]/.test(key)
      );
    })
    .map(([parent, key, value]): BadRequest => ({
      body: setAt(valid, [...parent, key], value),
      at: [...parent, key],
    }));
  const literalSecret = fc
    .tuple(
      fc.constantFrom(...SECRET_FIELDS),
      literalPassword,
      fc.constantFrom("bare", "keyVault", "appSetting"),
    )
    .map(([at, password, shape]): BadRequest => {
      const value: Json =
        shape === "bare"
          ? password
          : shape === "keyVault"
            ? { keyVaultSecret: password }
            : { appSetting: password };
      return { body: setAt(valid, at, value), at: [...at], plantedSecret: password };
    });
  const foreignReference = fc
    .tuple(
      fc.constantFrom(...SECRET_FIELDS),
      fc.constantFrom<Json>(
        { appSetting: "AzureWebJobsStorage" },
        { appSetting: "AZURE_CLIENT_SECRET" },
        { appSetting: "REPLICATION_SECRET_" },
        { keyVaultSecret: "https://evil.example.net/secrets/password" },
        { keyVaultSecret: `${vaultUrl.replace("https:", "http:")}/secrets/source-replication-password` },
        { keyVaultSecret: `${vaultUrl}/keys/source-replication-password` },
        { keyVaultSecret: `${vaultUrl}/secrets/name?api-version=7.4` },
        { keyVaultSecret: `${vaultUrl}/secrets/bad_name` },
        { keyVaultSecret: `${vaultUrl}/secrets/name/notaversion` },
        { keyVaultSecret: "not a url" },
        { appSetting: "REPLICATION_SECRET_X", keyVaultSecret: `${vaultUrl}/secrets/x` },
        {},
      ),
    )
    .map(([at, value]): BadRequest => ({ body: setAt(valid, at, value), at: [...at] }));
  const hugeString = fc
    .tuple(
      fc.constantFrom(
        ["source", "host"],
        ["source", "replicationUser"],
        ["replica", "resourceGroup"],
        ["replica", "serverName"],
        ["replica", "adminUser"],
        ["source", "caCertificate"],
        ["source", "replicationPassword", "keyVaultSecret"],
        ["binlog", "file"],
      ),
      // Up to 240 KB of UTF-8 with the 4-byte unit: under the 256 KB body limit, so the field itself is named.
      fc.integer({ min: 31_000, max: 60_000 }),
      fc.constantFrom("a", "é", "😀", "'", "-"),
    )
    .map(([at, length, unit]): BadRequest => {
      const value =
        at[1] === "replicationPassword" ? `${vaultUrl}/secrets/${unit.repeat(length)}` : unit.repeat(length);
      return { body: setAt(valid, at, value), at: [...at] };
    });
  const controlInName = fc
    .tuple(
      fc.constantFrom(
        ["source", "replicationUser"],
        ["source", "inspectionUser"],
        ["replica", "adminUser"],
        ["heartbeat", "writerUser"],
        ["source", "host"],
      ),
      fc.string({ maxLength: 6 }),
      controlCharacter,
    )
    .map(([at, text, control]): BadRequest => ({
      body: setAt(valid, at, `u${text}${control}x`),
      at: [...at],
    }));
  const badValue = fc
    .oneof(
      fc.constantFrom<[Segment[], Json]>(
        [["replica", "kind"], "postgresql"],
        [["replica", "kind"], "SINGLE"],
        [["replica", "subscriptionId"], "6c1f0d6e-3c5a-4a8f-9a55-2f1e4d0c7b1"],
        [["replica", "serverName"], "Sandbox-Replica"],
        [["replica", "serverName"], "-replica"],
        [["replica", "resourceGroup"], "rg."],
        [["replica", "resourceGroup"], "rg/../x"],
        [["source", "host"], "host name"],
        [["source", "host"], "a..b"],
        [["source", "host"], "http://example.com"],
        [["source", "host"], ""],
        [["source", "replicationUser"], ""],
        [["source", "caCertificate"], "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"],
        [["source", "caCertificate"], "just text"],
        [["binlog", "file"], "../../etc/passwd"],
        [["binlog", "position"], 3],
        [["policy", "skipErrors", 0, "errno"], 999],
        [["policy", "skipErrors", 0, "maxSkips"], 0],
        [["policy", "skipErrors"], Array.from({ length: 21 }, () => ({ errno: 1062, maxSkips: 1 }))],
        [["heartbeat", "database"], "hb; DROP DATABASE shop"],
        [["dryRun"], "true"],
        [["dryRun"], 1],
      ),
    )
    .map(([at, value]): BadRequest => ({ body: setAt(valid, at, value), at }));
  const replaceObject = fc
    .tuple(
      fc.constantFrom(...OBJECT_FIELDS),
      fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 2 }),
      ),
    )
    .map(([at, value]): BadRequest => ({ body: setAt(valid, at, value as Json), at: [...at] }));
  return fc.oneof(
    wrongStringType,
    wrongNumber,
    portOutOfRange,
    missing,
    extra,
    literalSecret,
    foreignReference,
    hugeString,
    controlInName,
    badValue,
    replaceObject,
  );
}

/** Non-objects and text that is not JSON at all. */
function notObjects(valid: Json): fc.Arbitrary<BadRequest> {
  const validText = JSON.stringify(valid);
  const nonObjectJson = fc
    .oneof(
      fc.integer(),
      fc.string({ maxLength: 30 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }),
      fc.constant([valid]),
    )
    .map((body): BadRequest => ({ body: body as Json, at: [] }));
  const notJson = fc
    .oneof(
      fc.integer({ min: 1, max: validText.length - 1 }).map((cut) => validText.slice(0, cut)),
      fc.constantFrom(
        "",
        "{",
        "{'source': 1}",
        "{source: {}}",
        '{"source": NaN}',
        "undefined",
        "[1,]",
        `${validText}garbage`,
        validText.replace(/"/g, "'"),
        "\u0000",
        "<xml/>",
      ),
      fc.string({ minLength: 1, maxLength: 40 }).map((text) => `{${text}`),
    )
    .filter((text) => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    })
    .map((raw): BadRequest => ({ raw, at: [] }));
  return fc.oneof(nonObjectJson, notJson);
}

function textOf(request: BadRequest): string {
  return request.raw ?? JSON.stringify(request.body ?? null);
}

/** Every string in a JSON text, decoded: an echoed secret would hide behind JSON escapes in the raw text. */
function stringsIn(text: string): string[] {
  const out: string[] = [text];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
  };
  try {
    walk(JSON.parse(text));
  } catch {
    // Not JSON: the raw text is all there is.
  }
  return out;
}

interface ErrorAnswer {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

describe("hostile provisioning bodies", () => {
  let stack: LocalStack;
  let valid: Json;
  const responseBodies: string[] = [];
  const planted: string[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    stack = await startE2eStack();
    valid = fullValidBody(stack);
  });
  afterAll(async () => {
    if (!stack) return;
    const secrets: Record<string, string> = { ...stack.secrets };
    planted.forEach((value, i) => (secrets[`planted${i}`] = value));
    // The planted literal passwords are never echoed in a response, nor recorded anywhere.
    expectNoSecrets(responseBodies.join("\n"), secrets);
    expectNoSecrets(await everythingRecorded(stack), secrets);
    console.log(`hostile bodies answered: ${JSON.stringify(Object.fromEntries(statuses))}`);
    await stack.stop();
  });

  async function post(request: BadRequest) {
    const response = await stack.host.invokeHttp({
      method: "POST",
      path: "/api/replications",
      body: textOf(request),
      headers: { "content-type": "application/json" },
    });
    return response;
  }

  function check(request: BadRequest, status: number, text: string): void {
    responseBodies.push(...stringsIn(text));
    if (request.plantedSecret) planted.push(request.plantedSecret);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    const answer = JSON.parse(text) as ErrorAnswer;
    expect(Object.keys(answer)).toEqual(["error"]);
    expect(typeof answer.error.code).toBe("string");
    expect(answer.error.code.length).toBeGreaterThan(0);
    expect(typeof answer.error.message).toBe("string");
    expect(answer.error.message.length).toBeGreaterThan(0);
    if (status === 413) {
      expect(answer.error.code).toBe("PayloadTooLarge");
      return;
    }
    expect(status).toBe(400);
    expect(answer.error.code).toBe("InvalidRequest");
    const details = answer.error.details ?? [];
    expect(details.length).toBeGreaterThan(0);
    const sent = request.raw !== undefined ? undefined : request.body;
    for (const detail of details) {
      expect(detail.path.length).toBeGreaterThan(0);
      expect(typeof detail.message).toBe("string");
      if (!pointsAtRealLocation(sent, detail.path)) {
        throw new Error(`detail path ${detail.path} points nowhere in the body`);
      }
    }
    // At least one detail names the broken field, its container or something inside it.
    const named = details.some((detail) => {
      const segments = parsePath(detail.path) ?? [];
      return isPrefix(segments, request.at) || isPrefix(request.at, segments);
    });
    if (!named) {
      throw new Error(
        `no detail names ${formatPath(request.at)}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
      );
    }
  }

  it("the unmutated body is valid, so every failure below is the mutation's", () => {
    const parsed = provisionRequestSchema(appConfig()).safeParse(valid);
    expect(parsed.success).toBe(true);
    // The path helpers agree with the app's own format.
    for (const at of allPaths(valid)) expect(parsePath(formatPath(at))).toEqual(at);
  });

  it("answers 400 naming the field for 800 mutated bodies", async () => {
    await fc.assert(
      fc.asyncProperty(badRequests(valid, stack.emulators.keyVault.vaultUrl), async (request) => {
        const response = await post(request);
        check(request, response.status, response.body);
      }),
      { numRuns: 800 },
    );
  });

  it("answers 400 on the whole body for 200 non-objects and texts that are not JSON", async () => {
    await fc.assert(
      fc.asyncProperty(notObjects(valid), async (request) => {
        const response = await post(request);
        check(request, response.status, response.body);
      }),
      { numRuns: 200 },
    );
  });

  it("answers the same over real HTTP, including raw invalid JSON and a body over 256 KB", async () => {
    const base = await stack.host.listen(0);
    const send = async (body: string, contentType = "application/json") => {
      const response = await fetch(`${base}/api/replications`, {
        method: "POST",
        headers: { "content-type": contentType },
        body,
      });
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      return { status: response.status, text: await response.text() };
    };
    const literal = "pa'ss\"w\\rd--#";
    const cases: [BadRequest, string?][] = [
      [{ raw: '{"source": {"host": "db.example.com",', at: [] }],
      [{ raw: "not json at all", at: [] }],
      [{ raw: "", at: [] }],
      [{ body: [valid], at: [] }],
      [{ body: "a string", at: [] }],
      [
        {
          body: setAt(valid, ["source", "replicationPassword"], literal),
          at: ["source", "replicationPassword"],
          plantedSecret: literal,
        },
      ],
      [{ body: setAt(valid, ["source", "port"], 70_000), at: ["source", "port"] }],
      [
        { body: setAt(valid, ["replica", "serverName"], undefined), at: ["replica", "serverName"] },
        "application/json; charset=utf-8",
      ],
    ];
    for (const [request, contentType] of cases) {
      const response = await send(textOf(request), contentType);
      check(request, response.status, response.text);
    }
    // JSON text not declared as JSON is refused before it is parsed (issue 11).
    const plain = await send(JSON.stringify(valid), "text/plain");
    expect(plain.status).toBe(415);
    expect(plain.text).toContain("UnsupportedMediaType");
    const huge = await send(JSON.stringify(setAt(valid, ["source", "host"], "h".repeat(300 * 1024))));
    check({ at: [] }, huge.status, huge.text);
    expect(huge.status).toBe(413);
  });

  it("started nothing and changed nothing", async () => {
    expect(stack.host.instances()).toEqual([]);
    expect(stack.emulators.arm.requests).toEqual([]);
    expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
    expect(stack.emulators.arm.server(stack.serverName)?.firewallRules()).toEqual([]);
    expect((await stack.host.invokeHttp({ method: "GET", path: "/api/replications" })).json()).toEqual({
      replications: [],
    });
  });
});
