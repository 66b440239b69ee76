// Signs and verifies the emulated Entra ID's RS256 access tokens with node:crypto; the resource emulators trust only its key.
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  sign as cryptoSign,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { promisify } from "node:util";

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  appid: string;
  azp: string;
  oid: string;
  sub: string;
  idtyp: "app";
  ver: "1.0" | "2.0";
  [claim: string]: unknown;
}

export type TokenCheck =
  { ok: true; claims: AccessTokenClaims } | { ok: false; reason: "malformed" | "signature" };

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

export class TokenSigner {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    readonly kid: string,
  ) {}

  static async create(): Promise<TokenSigner> {
    const { privateKey, publicKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
    const der = publicKey.export({ type: "spki", format: "der" });
    const kid = createHash("sha256").update(der).digest("base64url").slice(0, 27);
    return new TokenSigner(privateKey, publicKey, kid);
  }

  sign(claims: AccessTokenClaims): string {
    const header = { typ: "JWT", alg: "RS256", kid: this.kid, x5t: this.kid };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = cryptoSign("sha256", Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${base64url(signature)}`;
  }

  /** Checks structure and signature only; expiry, audience and tenant are the resource's business (they get distinct errors). */
  verify(token: string): TokenCheck {
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "malformed" };
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    let header: unknown;
    let claims: unknown;
    try {
      header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
    } catch {
      return { ok: false, reason: "malformed" };
    }
    if (!isRecord(header) || header.alg !== "RS256" || !isRecord(claims))
      return { ok: false, reason: "malformed" };
    const valid = cryptoVerify(
      "sha256",
      Buffer.from(`${headerPart}.${payloadPart}`),
      this.publicKey,
      Buffer.from(signaturePart, "base64url"),
    );
    if (!valid) return { ok: false, reason: "signature" };
    return { ok: true, claims: claims as AccessTokenClaims };
  }

  /** The public key as a JWKS entry, for the discovery `jwks_uri`. */
  jwk(): JsonWebKey & { kid: string; use: string; alg: string } {
    const jwk = createPublicKey(this.publicKey).export({ format: "jwk" });
    return { ...jwk, kid: this.kid, use: "sig", alg: "RS256" };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
