// Crafting access tokens the way an attacker would, for the test/token-attacks-*.test.ts family: our
// configured keys, claims like the service's own, hand-assembled JWS, and the checks every crafted
// token must pass: refused by POST /v1/token/verify, by GET /v1/me and, by reason, by RPC's service.
import { env } from "cloudflare:workers";
import { base64url, importJWK, type JWK, type JWTHeaderParameters, type JWTPayload, SignJWT } from "jose";
import { beforeAll, expect } from "vitest";
import type { Bindings } from "../../src/bindings";
import { getServiceContext } from "../../src/context";
import { introspectAccessToken, type TokenRejection } from "../../src/services/token-verification";
import { sessionOf, signUp, type TestAccount } from "./accounts";
import { type CallOptions, call, callWith, expectProblem, expectRefusedAsBearer, readJson } from "./http";

export interface PrivateJwk extends JWK {
  kid: string;
  alg: string;
}

/** SIGNING_KEYS as vitest.config.ts sets it: the ES256 key that signs, then a verify-only EdDSA key. */
export const [CURRENT_KEY, RETIRING_KEY] = (JSON.parse(env.SIGNING_KEYS) as { keys: PrivateJwk[] }).keys as [
  PrivateJwk,
  PrivateJwk,
];

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const encoder = new TextEncoder();

export async function privateKeyOf(jwk: PrivateJwk): Promise<CryptoKey> {
  return (await importJWK(jwk, jwk.alg)) as CryptoKey;
}

export function publicJwkOf(jwk: PrivateJwk): JWK {
  const { d: _d, ...rest } = jwk;
  return rest;
}

/** Signs `claims` with one of our keys; the header starts as the service's own, `header` overrides it. */
export async function signWith(
  jwk: PrivateJwk,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "at+jwt", ...header } as JWTHeaderParameters)
    .sign(await privateKeyOf(jwk));
}

/** A compact JWS assembled by hand, for headers jose refuses to produce. */
export function unsignedToken(header: Record<string, unknown>, claims: JWTPayload, signature = ""): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(claims)}.${signature}`;
}

/** The service's own header, as JSON text for signRawText. */
export const ourHeaderText = (): string => JSON.stringify({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" });

/** Signs header and payload given as exact JSON text with our ES256 key: for JSON no serializer writes. */
export async function signRawText(headerText: string, payloadText: string): Promise<string> {
  const input = `${base64url.encode(encoder.encode(headerText))}.${base64url.encode(encoder.encode(payloadText))}`;
  const key = await privateKeyOf(CURRENT_KEY);
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, encoder.encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

/** The account a file's crafted tokens are about, signed up before its tests run. */
export interface ForgeryTarget {
  readonly account: TestAccount;
  readonly sessionId: string;
  /** Claims exactly like the ones the service issues for this account, with `overrides`. */
  claims(overrides?: Record<string, unknown>): JWTPayload;
  /** Those claims without the one named. */
  claimsWithout(name: string): JWTPayload;
  /** Verify finds the token active for this account and GET /v1/me answers as it. */
  expectAccepted(token: string, bindings?: Bindings): Promise<void>;
}

/** Registers a beforeAll that signs the target up; read its fields inside tests only. */
export function useForgeryTarget(): ForgeryTarget {
  let signedUp: { account: TestAccount; sessionId: string } | undefined;
  beforeAll(async () => {
    const account = await signUp();
    signedUp = { account, sessionId: sessionOf(account.tokens.access_token) };
  });
  const ready = () => {
    if (!signedUp) throw new Error("the forgery target is signed up in beforeAll: read it inside a test");
    return signedUp;
  };
  const claims = (overrides: Record<string, unknown> = {}): JWTPayload => {
    const { account, sessionId } = ready();
    const now = nowSeconds();
    return {
      iss: "https://auth.test",
      aud: "edge-auth-test",
      sub: account.userId,
      sid: sessionId,
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + 600,
      email: account.email,
      email_verified: false,
      amr: ["pwd"],
      ...overrides,
    };
  };
  return {
    get account() {
      return ready().account;
    },
    get sessionId() {
      return ready().sessionId;
    },
    claims,
    claimsWithout(name) {
      const without = claims();
      delete without[name];
      return without;
    },
    async expectAccepted(token, bindings) {
      const { account, sessionId } = ready();
      const verified = await callVerify(token, bindings);
      expect(verified.status).toBe(200);
      expect(await readJson(verified)).toMatchObject({ active: true, sub: account.userId, sid: sessionId });
      const me = await send(bindings, "GET", "/v1/me", { token });
      expect(me.status).toBe(200);
      expect(await readJson(me)).toMatchObject({ id: account.userId });
    },
  };
}

/** Through the real entry point, or through the fetch handler with other bindings. */
function send(bindings: Bindings | undefined, method: string, path: string, options: CallOptions): Promise<Response> {
  return bindings ? callWith(bindings, method, path, options) : call(method, path, options);
}

export function callVerify(token: unknown, bindings?: Bindings): Promise<Response> {
  return send(bindings, "POST", "/v1/token/verify", { json: { token } });
}

/** POST /v1/token/verify refusing its body: a 400 invalid_request naming the `token` field. */
export async function expectTokenFieldRefused(response: Response): Promise<void> {
  await expectProblem(response, 400, "invalid_request", { errors: [{ field: "token" }] });
}

/** Verify answers 200 with exactly { active: false }: nothing about why. */
export async function expectRefusedByVerify(token: string, bindings?: Bindings): Promise<void> {
  const response = await callVerify(token, bindings);
  expect(response.status).toBe(200);
  expect(await readJson(response)).toEqual({ active: false });
}

export async function expectRefusedByMe(token: string, bindings?: Bindings): Promise<void> {
  await expectRefusedAsBearer(await send(bindings, "GET", "/v1/me", { token }));
}

export async function expectRefusedEverywhere(token: string, bindings?: Bindings): Promise<void> {
  await expectRefusedByVerify(token, bindings);
  await expectRefusedByMe(token, bindings);
}

/** Why the service behind RPC `verifyToken` refuses the token, or null when it accepts it. */
export async function rejectionOf(token: string, bindings: Bindings = env): Promise<TokenRejection | null> {
  const introspection = await introspectAccessToken(await getServiceContext(bindings), token);
  return introspection.active ? null : introspection.rejection;
}
