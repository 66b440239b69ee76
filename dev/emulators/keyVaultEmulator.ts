// Emulated Azure Key Vault (secrets data plane): challenge-based bearer auth as SecretClient performs it, versioned secrets, 403/404 on demand.
import { randomUUID } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { FaultInjector, defaultErrorBody } from "./faultInjector";
import { delay, readBody, sendJson } from "./httpJson";
import { startHttpsServer, type RunningHttpsServer, type TlsMaterial } from "./httpsServer";
import { RequestLog, type LoggedRequest } from "./requestLog";
import { type AccessTokenClaims, type TokenSigner } from "./tokenSigner";

/** @azure/keyvault-secrets 4.11 sends 2025-07-01; older SDKs send 7.x. */
const KEY_VAULT_API_VERSIONS = ["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01"];

export interface KeyVaultEmulatorOptions {
  tls: TlsMaterial;
  signer: TokenSigner;
  tenantId: string;
  /** The Entra emulator's origin; the challenge's `authorization` names `${authorityHost}/${tenantId}`. */
  authorityHost: string;
  /**
   * The audience the challenge asks for and tokens must carry. Default `https://vault.azure.net`, what the public
   * cloud's vaults announce. SecretClient checks that the vault host is a subdomain of it, which a loopback vault
   * can never be: so the app must set disableChallengeResourceVerification for a loopback vault (see startEmulators.ts).
   */
  resource?: string;
  /** "resource" (`resource="..."`, what the service sends) or "scope" (`scope=".../.default"`). */
  challengeForm?: "resource" | "scope";
  vaultName?: string;
  now?: () => number;
}

export interface SecretVersion {
  version: string;
  value: string;
  enabled: boolean;
  contentType: string | undefined;
  /** Like the service: returned with the value; omitted from the bundle when the secret has none. */
  tags: Record<string, string> | undefined;
  created: number;
  updated: number;
}

interface Denial {
  secretName: string | undefined;
  remaining: number;
}

const SECRET_PATH = /^\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-zA-Z]*))?\/?$/;

function kvError(code: string, message: string, inner?: string): unknown {
  return { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } };
}

export class KeyVaultEmulator {
  readonly faults = new FaultInjector();
  readonly resource: string;
  readonly vaultName: string;
  private readonly log = new RequestLog();
  private readonly secrets = new Map<string, SecretVersion[]>();
  private readonly denials: Denial[] = [];
  private readonly now: () => number;
  private listener: RunningHttpsServer | undefined;

  private constructor(private readonly options: KeyVaultEmulatorOptions) {
    this.resource = options.resource ?? "https://vault.azure.net";
    this.vaultName = options.vaultName ?? "emulated-vault";
    this.now = options.now ?? Date.now;
  }

  static async start(options: KeyVaultEmulatorOptions): Promise<KeyVaultEmulator> {
    const emulator = new KeyVaultEmulator(options);
    emulator.listener = await startHttpsServer(options.tls, (req, res, url) =>
      emulator.handle(req, res, url),
    );
    return emulator;
  }

  /** The vault URL to give SecretClient, `https://127.0.0.1:<port>`. */
  get vaultUrl(): string {
    if (!this.listener) throw new Error("Key Vault emulator is not running");
    return this.listener.origin;
  }

  get requests(): readonly LoggedRequest[] {
    return this.log.entries;
  }

  /** Adds a new version of `name` and returns its version id (32 hex digits, like the service's). */
  setSecret(
    name: string,
    value: string,
    options: { enabled?: boolean; contentType?: string; tags?: Record<string, string> } = {},
  ): string {
    const problem = tagProblem(options.tags);
    if (problem) throw new Error(`Key Vault emulator: ${problem}`);
    const seconds = Math.floor(this.now() / 1000);
    const version = randomUUID().replace(/-/g, "");
    const versions = this.secrets.get(name.toLowerCase()) ?? [];
    versions.push({
      version,
      value,
      enabled: options.enabled ?? true,
      contentType: options.contentType,
      tags: options.tags && Object.keys(options.tags).length > 0 ? { ...options.tags } : undefined,
      created: seconds,
      updated: seconds,
    });
    this.secrets.set(name.toLowerCase(), versions);
    return version;
  }

  /** The secret identifier the app would be configured with, e.g. `https://127.0.0.1:1234/secrets/name[/version]`. */
  secretId(name: string, version?: string): string {
    return `${this.vaultUrl}/secrets/${name}${version ? `/${version}` : ""}`;
  }

  deleteSecret(name: string): boolean {
    return this.secrets.delete(name.toLowerCase());
  }

  /** The next `times` reads (of `secretName`, or of any secret) are denied by RBAC with 403 Forbidden. */
  forbid(options: { secretName?: string; times?: number } = {}): void {
    this.denials.push({ secretName: options.secretName?.toLowerCase(), remaining: options.times ?? 1 });
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    this.listener = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const apiVersion = url.searchParams.get("api-version") ?? undefined;
    const reply = await this.route(req, url, method, apiVersion);
    sendJson(res, reply.status, reply.body, {
      "x-ms-request-id": randomUUID(),
      "x-ms-keyvault-service-version": "1.9.2044.1",
      ...reply.headers,
    });
    this.log.record({
      method,
      path: url.pathname,
      apiVersion,
      status: reply.status,
      injected: reply.injected ?? false,
    });
  }

  private async route(
    req: IncomingMessage,
    url: URL,
    method: string,
    apiVersion: string | undefined,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string>; injected?: boolean }> {
    if (!apiVersion || !KEY_VAULT_API_VERSIONS.includes(apiVersion)) {
      return {
        status: 400,
        body: kvError(
          "BadParameter",
          apiVersion
            ? `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`
            : "The 'api-version' query parameter is missing.",
        ),
      };
    }
    // Authentication comes first: the SDK's first request is deliberately anonymous to learn the challenge.
    const auth = this.authenticate(req.headers.authorization);
    if ("status" in auth) return auth;

    const fault = this.faults.take(method, url.pathname);
    if (fault?.delayMs) await delay(fault.delayMs);
    if (fault?.status) {
      return {
        status: fault.status,
        body: fault.body ?? defaultErrorBody(fault.status),
        headers:
          fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {},
        injected: true,
      };
    }

    const match = SECRET_PATH.exec(url.pathname);
    if (!match)
      return {
        status: 404,
        body: kvError("NotFound", `The requested path '${url.pathname}' is not served by this emulator.`),
      };
    const name = match[1] ?? "";
    const version = match[2] ?? "";
    if (method === "PUT" && !version) {
      let body: { value?: unknown; contentType?: unknown; tags?: unknown } | null;
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        body = null;
      }
      if (typeof body?.value !== "string")
        return { status: 400, body: kvError("BadParameter", "Property 'value' is required.") };
      const tags = body.tags ?? undefined;
      const problem = tagProblem(tags);
      if (problem) return { status: 400, body: kvError("BadParameter", problem) };
      const newVersion = this.setSecret(name, body.value, {
        ...(typeof body.contentType === "string" ? { contentType: body.contentType } : {}),
        ...(tags ? { tags: tags as Record<string, string> } : {}),
      });
      return { status: 200, body: this.bundle(name, this.find(name, newVersion)!) };
    }
    if (method !== "GET")
      return { status: 405, body: kvError("BadParameter", `Method ${method} is not allowed here.`) };

    const denied = this.takeDenial(name);
    if (denied) return { status: 403, body: this.forbiddenBody(auth.claims, name), injected: true };
    const secret = this.find(name, version);
    if (!secret) {
      const label = version ? `(name/id) ${name}/${version}` : `(name/id) ${name}`;
      return {
        status: 404,
        body: kvError(
          "SecretNotFound",
          `A secret with ${label} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
        ),
      };
    }
    if (!secret.enabled) {
      return {
        status: 403,
        body: kvError("Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled"),
      };
    }
    return { status: 200, body: this.bundle(name, secret) };
  }

  private authenticate(
    header: string | undefined,
  ): { claims: AccessTokenClaims } | { status: number; body: unknown; headers: Record<string, string> } {
    const authorization = `${this.options.authorityHost}/${this.options.tenantId}`;
    const challenge =
      (this.options.challengeForm ?? "resource") === "resource"
        ? `Bearer authorization="${authorization}", resource="${this.resource}"`
        : `Bearer authorization="${authorization}", scope="${this.resource}/.default"`;
    const unauthorized = (message: string) => ({
      status: 401,
      body: kvError("Unauthorized", message),
      headers: { "www-authenticate": challenge },
    });
    const token = /^Bearer (\S+)$/i.exec(header ?? "")?.[1];
    if (!token) return unauthorized("AKV10000: Request is missing a Bearer or PoP token.");
    const checked = this.options.signer.verify(token);
    if (!checked.ok) return unauthorized("AKV10022: Invalid token: the token could not be validated.");
    const { claims } = checked;
    if (claims.exp <= Math.floor(this.now() / 1000))
      return unauthorized("AKV10020: Invalid token: the token is expired.");
    if (claims.aud !== this.resource && claims.aud !== `${this.resource}/`) {
      return unauthorized(`AKV10022: Invalid audience. Expected ${this.resource}, found: ${claims.aud}.`);
    }
    if (claims.tid !== this.options.tenantId) {
      return unauthorized(
        `AKV10032: Invalid issuer. Expected one of ${authorization}/, found ${claims.iss}.`,
      );
    }
    return { claims };
  }

  private find(name: string, version: string): SecretVersion | undefined {
    const versions = this.secrets.get(name.toLowerCase());
    if (!versions) return undefined;
    return version
      ? versions.find((v) => v.version === version.toLowerCase())
      : versions[versions.length - 1];
  }

  private takeDenial(name: string): boolean {
    const denial = this.denials.find(
      (d) => d.secretName === undefined || d.secretName === name.toLowerCase(),
    );
    if (!denial) return false;
    denial.remaining -= 1;
    if (denial.remaining <= 0) this.denials.splice(this.denials.indexOf(denial), 1);
    return true;
  }

  private bundle(name: string, secret: SecretVersion): unknown {
    return {
      value: secret.value,
      ...(secret.contentType ? { contentType: secret.contentType } : {}),
      id: `${this.vaultUrl}/secrets/${name}/${secret.version}`,
      attributes: {
        enabled: secret.enabled,
        created: secret.created,
        updated: secret.updated,
        recoveryLevel: "Recoverable+Purgeable",
        recoverableDays: 90,
      },
      ...(secret.tags ? { tags: { ...secret.tags } } : {}),
    };
  }

  private forbiddenBody(claims: AccessTokenClaims, secretName: string): unknown {
    return kvError(
      "Forbidden",
      [
        "Caller is not authorized to perform action on resource.",
        "If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.",
        `Caller: appid=${claims.appid};oid=${claims.oid};iss=${claims.iss}`,
        "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'",
        `Resource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulated/providers/microsoft.keyvault/vaults/${this.vaultName}/secrets/${secretName}'`,
        "Assignment: (not found)",
        "DenyAssignmentId: null",
        "DecisionReason: null ",
        `Vault: ${this.vaultName};location=westeurope`,
        "",
      ].join("\r\n"),
      "ForbiddenByRbac",
    );
  }
}

/** The service's tag limits: at most 15 tags, names up to 512 characters, string values up to 256 characters. */
function tagProblem(tags: unknown): string | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== "object" || Array.isArray(tags)) return "Property 'tags' must be an object.";
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 15) return "The number of tags must be at most 15.";
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > 512)
      return `Tag name '${name.slice(0, 40)}' must be 1-512 characters.`;
    if (typeof value !== "string") return `Tag '${name}' must have a string value.`;
    if (value.length > 256) return `The value of tag '${name}' must be at most 256 characters.`;
  }
  return undefined;
}
