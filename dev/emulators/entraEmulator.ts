// Emulated Microsoft Entra ID: OpenID discovery, JWKS and the client-credentials token endpoint that MSAL (inside @azure/identity) talks to.
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { FaultInjector, defaultErrorBody } from "./faultInjector";
import { delay, readBody, sendJson } from "./httpJson";
import { startHttpsServer, type RunningHttpsServer, type TlsMaterial } from "./httpsServer";
import { RequestLog, type LoggedRequest } from "./requestLog";
import { type AccessTokenClaims, type TokenSigner } from "./tokenSigner";

export interface EntraEmulatorOptions {
  tls: TlsMaterial;
  signer: TokenSigner;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued tokens; default 3600 s like the real service (it reports 3599). */
  tokenLifetimeSeconds?: number;
  /** Injectable clock (epoch ms) so expiry tests need not wait. */
  now?: () => number;
}

export interface MintTokenOptions {
  /** The resource, e.g. `https://127.0.0.1:1234` (no `/.default`). */
  audience: string;
  tenantId?: string;
  clientId?: string;
  /** Negative values mint an already expired token. */
  expiresInSeconds?: number;
}

export type TokenFailure =
  { status: 500 | 503; times?: number } | { error: "invalid_client"; times?: number };

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const OPENID_PATH = /^\/([^/]+)(?:\/v2\.0)?\/\.well-known\/openid-configuration$/;
const KEYS_PATH = /^\/([^/]+)\/discovery(?:\/v2\.0)?\/keys$/;

export class EntraEmulator {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly faults = new FaultInjector();
  private readonly log = new RequestLog();
  private readonly now: () => number;
  private readonly lifetimeSeconds: number;
  private server: RunningHttpsServer | undefined;

  private constructor(private readonly options: EntraEmulatorOptions) {
    this.tenantId = options.tenantId ?? randomUUID();
    this.clientId = options.clientId ?? randomUUID();
    this.clientSecret = options.clientSecret ?? `emu~${randomUUID()}`;
    this.now = options.now ?? Date.now;
    this.lifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
  }

  static async start(options: EntraEmulatorOptions): Promise<EntraEmulator> {
    const emulator = new EntraEmulator(options);
    emulator.server = await startHttpsServer(options.tls, (req, res, url) => emulator.handle(req, res, url));
    return emulator;
  }

  /** The value for AZURE_AUTHORITY_HOST / the credential's `authorityHost`. */
  get authorityHost(): string {
    return this.running.origin;
  }

  get requests(): readonly LoggedRequest[] {
    return this.log.entries;
  }

  /** Makes the next token requests fail: a server error the SDK retries, or a rejected client secret. */
  failTokenRequests(failure: TokenFailure): void {
    const times = failure.times ?? 1;
    if ("error" in failure) {
      this.faults.add({
        pathIncludes: "/oauth2/v2.0/token",
        status: 401,
        times,
        body: this.invalidClientBody(),
      });
    } else {
      this.faults.add({ pathIncludes: "/oauth2/v2.0/token", status: failure.status, times });
    }
  }

  /** Signs a token directly, for tests that need a wrong-audience, foreign-tenant or expired token. */
  mintToken(options: MintTokenOptions): string {
    const nowSeconds = Math.floor(this.now() / 1000);
    const tenantId = options.tenantId ?? this.tenantId;
    const clientId = options.clientId ?? this.clientId;
    const claims: AccessTokenClaims = {
      aud: options.audience,
      iss: `${this.authorityHost}/${tenantId}/v2.0`,
      iat: nowSeconds - 300,
      nbf: nowSeconds - 300,
      exp: nowSeconds + (options.expiresInSeconds ?? this.lifetimeSeconds),
      tid: tenantId,
      appid: clientId,
      azp: clientId,
      // The service principal's object id: stable per client so role checks can key on it.
      oid: `00000000-0000-0000-0000-${clientId.replace(/-/g, "").slice(0, 12).padEnd(12, "0")}`,
      sub: clientId,
      idtyp: "app",
      ver: "1.0",
      uti: randomUUID(),
    };
    return this.options.signer.sign(claims);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  private get running(): RunningHttpsServer {
    if (!this.server) throw new Error("Entra emulator is not running");
    return this.server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const status = await this.route(req, res, url, method);
    this.log.record({
      method,
      path: url.pathname,
      apiVersion: undefined,
      status: status.code,
      injected: status.injected,
    });
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<{ code: number; injected: boolean }> {
    const fault = this.faults.take(method, url.pathname);
    if (fault?.delayMs) await delay(fault.delayMs);
    if (fault?.status) {
      sendJson(res, fault.status, fault.body ?? this.serverErrorBody(fault.status), {
        ...(fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {}),
      });
      return { code: fault.status, injected: true };
    }

    const openid = OPENID_PATH.exec(url.pathname);
    if (method === "GET" && openid) return this.reply(res, ...this.openIdConfiguration(openid[1] ?? ""));
    const keys = KEYS_PATH.exec(url.pathname);
    if (method === "GET" && keys) return this.reply(res, 200, { keys: [this.options.signer.jwk()] });
    const token = TOKEN_PATH.exec(url.pathname);
    if (method === "POST" && token) {
      const form = new URLSearchParams(await readBody(req));
      return this.reply(res, ...this.tokenResponse(token[1] ?? "", form));
    }
    return this.reply(
      res,
      404,
      this.aadError(
        "invalid_request",
        900561,
        `The endpoint only accepts requests it implements; got ${method} ${url.pathname}.`,
      ),
    );
  }

  private reply(res: ServerResponse, code: number, body: unknown): { code: number; injected: boolean } {
    sendJson(res, code, body, { "cache-control": "no-store, no-cache" });
    return { code, injected: false };
  }

  private openIdConfiguration(tenant: string): [number, unknown] {
    if (tenant !== this.tenantId) return this.tenantNotFound(tenant);
    const base = `${this.authorityHost}/${tenant}`;
    return [
      200,
      {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        // MSAL rejects an issuer on another host than the authority (issuer validation), so it lives here too.
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/openid/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: [
          "sub",
          "iss",
          "aud",
          "exp",
          "iat",
          "auth_time",
          "acr",
          "nonce",
          "tid",
          "ver",
          "at_hash",
        ],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: "EU",
        cloud_instance_name: "127.0.0.1",
        cloud_graph_host_name: "127.0.0.1",
        msgraph_host: "127.0.0.1",
        rbac_url: "https://127.0.0.1",
      },
    ];
  }

  private tokenResponse(tenant: string, form: URLSearchParams): [number, unknown] {
    if (tenant !== this.tenantId) return this.tenantNotFound(tenant);
    const grantType = form.get("grant_type");
    if (grantType !== "client_credentials") {
      return [
        400,
        this.aadError(
          "unsupported_grant_type",
          70003,
          `The app requested an unsupported grant type '${grantType ?? ""}'.`,
        ),
      ];
    }
    const clientId = form.get("client_id") ?? "";
    if (clientId !== this.clientId) {
      return [
        400,
        this.aadError(
          "unauthorized_client",
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        ),
      ];
    }
    const secret = form.get("client_secret");
    if (secret === null) {
      return [
        401,
        this.aadError(
          "invalid_client",
          7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ),
      ];
    }
    if (secret !== this.clientSecret) return [401, this.invalidClientBody()];
    const scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
    const resourceScopes = scopes.filter((s) => s.endsWith("/.default"));
    const [scope] = resourceScopes;
    if (resourceScopes.length !== 1 || scope === undefined) {
      return [
        400,
        this.aadError(
          "invalid_scope",
          1002012,
          `The provided value for scope ${scopes.join(" ")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        ),
      ];
    }
    const audience = scope.slice(0, -"/.default".length);
    return [
      200,
      {
        token_type: "Bearer",
        expires_in: this.lifetimeSeconds - 1,
        ext_expires_in: this.lifetimeSeconds - 1,
        access_token: this.mintToken({ audience }),
      },
    ];
  }

  private tenantNotFound(tenant: string): [number, unknown] {
    return [
      400,
      this.aadError(
        "invalid_tenant",
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      ),
    ];
  }

  private invalidClientBody(): Record<string, unknown> {
    return this.aadError(
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
    );
  }

  private serverErrorBody(status: number): object {
    if (status >= 500) {
      return this.aadError(
        "temporarily_unavailable",
        50000,
        "There was an error issuing a token or an issue with our sign-in service.",
      );
    }
    return defaultErrorBody(status);
  }

  /** The AADSTS error shape: MSAL surfaces `error` and `error_description` in its exception message. */
  private aadError(error: string, code: number, description: string): Record<string, unknown> {
    const timestamp = new Date(this.now())
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z");
    const traceId = randomUUID();
    const correlationId = randomUUID();
    return {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${this.authorityHost}/error?code=${code}`,
    };
  }
}
