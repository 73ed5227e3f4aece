// The one module that signs and verifies access tokens (RFC 9068 JWTs). Nothing else imports jose's
// verify: algorithm, issuer, audience and typ are pinned here, and keys come only from our own set.

import { base64url, errors, type JWTHeaderParameters, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { hasDuplicateMemberNames } from "./json-member-names";
import type { KeySet } from "./signing-keys";

export const ACCESS_TOKEN_TYPE = "at+jwt";
/** Far above any token we issue; refusing larger input first bounds the work an attacker can cause. */
const MAX_TOKEN_LENGTH = 8192;
/**
 * Clock skew tolerated on `iat`. RFC 7519 §4.1.6 sets no rule, and jose checks `iat` only with
 * `maxTokenAge`, whose tolerance would loosen `exp` too. Our tokens carry our clock's `iat`; one dated
 * further ahead was not issued by us as it claims, and readers that judge age by `iat` must not be fooled.
 */
const MAX_FUTURE_IAT_SECONDS = 60;

export interface AccessTokenSubject {
  sub: string;
  sid: string;
  /** A person's address; absent only on an organization key's client_credentials token (no person). */
  email?: string;
  email_verified?: boolean;
  /** E.164; present (with phone_number_verified: true) only for a verified number. */
  phone_number?: string;
  phone_number_verified?: boolean;
  amr: string[];
  org?: string;
  role?: string;
  /** With `org`: the organization's slug at the time of issue. */
  org_slug?: string;
  /**
   * Only on a client_credentials token (RFC 6749 §4.4, RFC 9068 §2.2.3): the API key it was exchanged
   * for, and the key's scopes (space-separated). Its `sid` is then the key's id, which names no session.
   */
  client_id?: string;
  scope?: string;
}

export interface AccessTokenClaims extends AccessTokenSubject {
  iss: string;
  aud: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface TokenOptions {
  issuer: string;
  audience: string;
}

/**
 * The verifier's now (Unix seconds), passed in rather than read by jose from Date: the service's one
 * clock (ServiceContext.now) judges expiry, as it set `iat` and `exp` at signing.
 */
export interface TokenClock {
  now: number;
}

export type TokenFailureReason = "malformed" | "expired" | "invalid";

export type TokenVerification = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: TokenFailureReason };

export async function signAccessToken(
  keys: KeySet,
  subject: AccessTokenSubject,
  options: TokenOptions & { jti: string; issuedAt: number; ttlSeconds: number },
): Promise<{ token: string; claims: AccessTokenClaims }> {
  // Set here from the caller's time, not by jose's setIssuedAt/setExpirationTime (which read Date).
  const claims: AccessTokenClaims = {
    ...subject,
    iss: options.issuer,
    aud: options.audience,
    jti: options.jti,
    iat: options.issuedAt,
    exp: options.issuedAt + options.ttlSeconds,
  };
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: keys.signing.alg, kid: keys.signing.kid, typ: ACCESS_TOKEN_TYPE })
    .sign(keys.signing.key);
  return { token, claims };
}

export async function verifyAccessToken(
  keys: KeySet,
  token: string,
  options: TokenOptions & TokenClock,
): Promise<TokenVerification> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  try {
    const { payload } = await jwtVerify(token, (header) => selectVerificationKey(keys, header), {
      algorithms: keys.algorithms,
      issuer: options.issuer,
      audience: options.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ["exp", "iat", "sub", "sid", "jti"],
      currentDate: new Date(options.now * 1000),
    });
    if (repeatsMemberNames(token)) return { ok: false, reason: "malformed" };
    const claims = readClaims(payload);
    return claims && isPlausibleTime(claims, options.now) ? { ok: true, claims } : { ok: false, reason: "invalid" };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
      return { ok: false, reason: "malformed" };
    }
    return { ok: false, reason: "invalid" };
  }
}

/** JSON.parse reads `1e400` as Infinity, which jose takes for a number: such a token would never expire. */
function isPlausibleTime(claims: AccessTokenClaims, now: number): boolean {
  if (!Number.isFinite(claims.exp) || !Number.isFinite(claims.iat)) return false;
  return claims.iat <= now + MAX_FUTURE_IAT_SECONDS;
}

const UTF8 = new TextDecoder();

/** Header or claims naming a member twice (jose keeps the last; see json-member-names.ts). */
function repeatsMemberNames(token: string): boolean {
  return token.split(".", 2).some((segment) => hasDuplicateMemberNames(UTF8.decode(base64url.decode(segment))));
}

/** Chooses the key by `kid` from our own set only; `jku`, `x5u` and embedded `jwk` are never followed. */
function selectVerificationKey(keys: KeySet, header: JWTHeaderParameters): CryptoKey {
  if ("jku" in header || "x5u" in header || "jwk" in header || "x5c" in header) {
    throw new errors.JWSInvalid("key references in the header are not accepted");
  }
  const entry = header.kid === undefined ? undefined : keys.verification.get(header.kid);
  if (!entry || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
  return entry.key;
}

function readClaims(payload: JWTPayload): AccessTokenClaims | null {
  const { sub, sid, jti, iat, exp, email, email_verified, amr, iss, aud, org, role, client_id, scope } = payload;
  const { phone_number, phone_number_verified, org_slug } = payload;
  const strings = [sub, sid, jti, iss].every((value) => typeof value === "string");
  if (!strings || typeof aud !== "string") return null;
  // A person's token names the person's address; only a client_credentials token may name none.
  const hasEmail = typeof email === "string" && typeof email_verified === "boolean";
  const noEmail = email === undefined && email_verified === undefined;
  if (!hasEmail && !(noEmail && typeof client_id === "string")) return null;
  if (typeof iat !== "number" || typeof exp !== "number") return null;
  if (!Array.isArray(amr) || !amr.every((method) => typeof method === "string")) return null;
  return {
    sub: sub as string,
    sid: sid as string,
    jti: jti as string,
    ...(hasEmail ? { email: email as string, email_verified: email_verified as boolean } : {}),
    amr,
    iss: iss as string,
    aud,
    iat,
    exp,
    ...(typeof phone_number === "string" ? { phone_number } : {}),
    ...(typeof phone_number_verified === "boolean" ? { phone_number_verified } : {}),
    ...(typeof org === "string" ? { org } : {}),
    ...(typeof role === "string" ? { role } : {}),
    ...(typeof org_slug === "string" ? { org_slug } : {}),
    ...(typeof client_id === "string" ? { client_id } : {}),
    ...(typeof scope === "string" ? { scope } : {}),
  };
}
