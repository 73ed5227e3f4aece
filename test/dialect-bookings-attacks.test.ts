// Attacks on Bookings' token routes: forged, expired, revoked and wrong-kind tokens answer simplejwt's
// 401 {"detail", "code": "token_not_valid"}; and every route is gated per client IP like /v1, its 429
// in DRF's words with Retry-After.
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { claimsOf } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { bookingsAccount, TOKEN_NOT_VALID } from "./support/dialect-bookings";
import { dialectRoutes, expectDialectError, expectGatedOrRefused } from "./support/dialects";
import { call } from "./support/http";
import { CURRENT_KEY, signWith, unsignedToken } from "./support/token-forgery";

const verify = (token: string) => call("POST", "/auth/token/verify/", { json: { access_token: token } });
const refresh = (token: string) => call("POST", "/auth/token/refresh/", { json: { refresh_token: token } });

/** Claims like the ones the core issues for `access`, with `overrides`. */
function claimsLike(access: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { ...claimsOf(access), jti: crypto.randomUUID(), iat: now, exp: now + 600, ...overrides };
}

async function foreignKeyToken(claims: Record<string, unknown>): Promise<string> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const { privateKey } = pair as CryptoKeyPair;
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" }).sign(privateKey);
}

describe("Bookings' verify refuses every token the core would", () => {
  it("a token our key signed for this very session is accepted: the forgeries below differ in one thing", async () => {
    const { access } = await bookingsAccount();
    expect((await verify(await signWith(CURRENT_KEY, claimsLike(access)))).status).toBe(200);
  });

  it("signed by a key that is not ours, unsigned, or with its signature cut off", async () => {
    const { access } = await bookingsAccount();
    const claims = claimsLike(access);
    for (const forged of [
      await foreignKeyToken(claims),
      unsignedToken({ alg: "none", typ: "at+jwt" }, claims),
      access.split(".").slice(0, 2).join("."),
      `${access.slice(0, -4)}AAAA`,
    ]) {
      await expectDialectError(await verify(forged), 401, TOKEN_NOT_VALID);
    }
  });

  it("claims or header altered: another issuer, audience, subject or token type, or a spent lifetime", async () => {
    const { access } = await bookingsAccount();
    const now = Math.floor(Date.now() / 1000);
    for (const [claims, header] of [
      [claimsLike(access, { iss: "https://evil.test" }), {}],
      [claimsLike(access, { aud: "someone-else" }), {}],
      [claimsLike(access, { exp: now - 120, iat: now - 1000 }), {}],
      [claimsLike(access), { typ: "JWT" }],
      [claimsLike(access), { alg: "HS256" }],
    ] as const) {
      const token = await signWith(CURRENT_KEY, claims, header).catch(() => unsignedToken({ ...header }, claims));
      await expectDialectError(await verify(token), 401, TOKEN_NOT_VALID);
    }
  });

  it("an expired access token", async () => {
    const { access } = await bookingsAccount();
    freezeClock();
    advanceClock(Number(env.ACCESS_TOKEN_TTL_SECONDS ?? 900) + 60);
    await expectDialectError(await verify(access), 401, TOKEN_NOT_VALID);
  });

  it("wrong kind: a refresh token sent to verify, an access token sent to refresh", async () => {
    const { access, refresh: refreshToken } = await bookingsAccount();
    await expectDialectError(await verify(refreshToken), 401, TOKEN_NOT_VALID);
    await expectDialectError(await refresh(access), 401, TOKEN_NOT_VALID);
    await expectDialectError(await refresh("x".repeat(600)), 401, TOKEN_NOT_VALID);
  });
});

describe("every Bookings route is gated per IP", { timeout: 180_000 }, () => {
  const routes = dialectRoutes({ name: "bookings", prefix: "" });

  it("is found from the router: every documented path, POST only", () => {
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
      "POST /auth/password/reset/",
      "POST /auth/password/reset/confirm/",
      "POST /auth/password/reset/verify",
      "POST /auth/password/reset/verify/",
      "POST /auth/register/",
      "POST /auth/social/google-oauth2",
      "POST /auth/social/google-oauth2/",
      "POST /auth/token/",
      "POST /auth/token/refresh/",
      "POST /auth/token/verify/",
    ]);
  });

  for (const { method, path } of routes) {
    it(`${method} ${path}: the 61st anonymous request is Bookings' 429 with Retry-After`, async () => {
      await expectGatedOrRefused(method, path, {
        rateLimited: { detail: "Request was throttled. Expected available in 60 seconds." },
        unauthenticated: TOKEN_NOT_VALID,
        expected: "gated",
      });
    });
  }
});
