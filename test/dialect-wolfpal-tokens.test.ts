// Attacks on wolfpal's bearer and refresh routes, its limits and its outages: forged, expired, revoked
// and wrong-kind tokens on /auth/logout (each 401 with its own code), refresh tokens that are not
// usable, the login lock and per-IP gates of /v1, and storage failing, all in wolfpal's shape.
import { env } from "cloudflare:workers";
import { generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { claimsOf, PASSWORD } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { INVALID_CREDENTIALS, wolfpalAccount, wolfpalLogIn } from "./support/dialect-wolfpal";
import { dialectRoutes, expectDialectError, expectGatedOrRefused } from "./support/dialects";
import { dropAllFaults, injectFault } from "./support/faults";
import { call } from "./support/http";
import { CURRENT_KEY, signWith, unsignedToken } from "./support/token-forgery";

afterEach(dropAllFaults);

const UNAUTHORIZED = { code: "UNAUTHORIZED", error: "Unauthorized: send the access token as Bearer." };
const INVALID_TOKEN = { code: "INVALID_TOKEN", error: "The access token is invalid." };
const EXPIRED = { code: "TOKEN_EXPIRED", error: "The access token has expired." };
const REVOKED = { code: "TOKEN_REVOKED", error: "The access token has been revoked." };
const BAD_REFRESH = { code: "INVALID_REFRESH_TOKEN", error: "The refresh token is invalid or has expired." };
const TOO_MANY = { code: "TOO_MANY_REQUESTS", error: "Too many requests; try again later." };

/** Our header and claims, signed by a key that is not ours. */
async function signedByStranger(claims: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256");
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" }).sign(privateKey);
}

const logOut = (token?: string, headers: Record<string, string> = {}) =>
  call("POST", "/auth/logout", { ...(token === undefined ? {} : { token }), headers });

describe("wolfpal logout refuses every token that is not a live access token: 401", () => {
  it("no token, or an Authorization header of another scheme: UNAUTHORIZED", async () => {
    await expectDialectError(await logOut(), 401, UNAUTHORIZED);
    await expectDialectError(await logOut(undefined, { Authorization: "Basic dXNlcjpwYXNz" }), 401, UNAUTHORIZED);
  });

  it("garbage, alg none, another key's signature, another typ: INVALID_TOKEN, and the session lives on", async () => {
    const account = await wolfpalAccount();
    const claims = claimsOf(account.access_token);
    const forged = [
      "not.a.token",
      unsignedToken({ alg: "none", typ: "at+jwt" }, { ...claims }),
      await signedByStranger({ ...claims }),
      await signWith(CURRENT_KEY, { ...claims }, { typ: "JWT" }),
      await signWith(CURRENT_KEY, { ...claims, aud: "someone-else" }),
    ];
    for (const token of forged) await expectDialectError(await logOut(token), 401, INVALID_TOKEN);
    expect((await logOut(account.access_token)).status).toBe(200);
  });

  it("a token of ours naming another user, or a session that does not exist: TOKEN_REVOKED", async () => {
    const [victim, attacker] = [await wolfpalAccount(), await wolfpalAccount()];
    const claims = claimsOf(attacker.access_token);
    const swapped = await signWith(CURRENT_KEY, { ...claims, sub: victim.userId, jti: crypto.randomUUID() });
    await expectDialectError(await logOut(swapped), 401, REVOKED);
    const unknown = await signWith(CURRENT_KEY, { ...claims, sid: crypto.randomUUID(), jti: crypto.randomUUID() });
    await expectDialectError(await logOut(unknown), 401, REVOKED);
    expect((await call("GET", "/v1/me", { token: victim.access_token })).status).toBe(200);
  });

  it("the refresh token as Bearer is the wrong kind: INVALID_TOKEN", async () => {
    const account = await wolfpalAccount();
    await expectDialectError(await logOut(account.refresh_token), 401, INVALID_TOKEN);
  });

  it("an expired access token: TOKEN_EXPIRED", async () => {
    const account = await wolfpalAccount();
    freezeClock();
    advanceClock(Number(env.ACCESS_TOKEN_TTL_SECONDS ?? 900) + 60);
    await expectDialectError(await logOut(account.access_token), 401, EXPIRED);
  });

  it("a second logout with the same token (replayed): TOKEN_REVOKED", async () => {
    const account = await wolfpalAccount();
    expect((await logOut(account.access_token)).status).toBe(200);
    await expectDialectError(await logOut(account.access_token), 401, REVOKED);
  });
});

describe("wolfpal refresh refuses tokens that are not usable: 401 INVALID_REFRESH_TOKEN", () => {
  it("unknown, an access token, oversized, and one whose session was logged out", async () => {
    const account = await wolfpalAccount();
    for (const refresh_token of ["unknown-refresh-token", account.access_token, "x".repeat(4000)]) {
      await expectDialectError(await call("POST", "/auth/refresh", { json: { refresh_token } }), 401, BAD_REFRESH);
    }
    expect((await logOut(account.access_token)).status).toBe(200);
    const after = await call("POST", "/auth/refresh", { form: { refresh_token: account.refresh_token } });
    await expectDialectError(after, 401, BAD_REFRESH);
  });
});

describe("wolfpal limits and outages", () => {
  it("the login lock of /v1 holds here: after 10 wrong passwords the right one is refused too", async () => {
    const account = await wolfpalAccount();
    for (let attempt = 0; attempt < 10; attempt++) await wolfpalLogIn(account.email, `wrong password ${attempt}`);
    await expectDialectError(await wolfpalLogIn(account.email, PASSWORD), 400, INVALID_CREDENTIALS);
    // /v1 sees the same lock.
    expect((await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } })).status).toBe(401);
  });

  it("storage failing mid-login: 503 SERVICE_UNAVAILABLE, no details", async () => {
    const account = await wolfpalAccount();
    await injectFault("wolfpal_fail_session_insert", "BEFORE INSERT", "sessions");
    await expectDialectError(await wolfpalLogIn(account.email), 503, {
      code: "SERVICE_UNAVAILABLE",
      error: "The service is temporarily unavailable; try again shortly.",
    });
  });
});

describe("every wolfpal route is gated per IP", { timeout: 120_000 }, () => {
  const routes = dialectRoutes({ name: "wolfpal", prefix: "" });

  it("is found from the router: the document's five routes", () => {
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
      "POST /auth/login",
      "POST /auth/logout",
      "POST /auth/refresh",
      "POST /auth/register",
      "POST /auth/two-factor",
    ]);
  });

  for (const { method, path } of routes) {
    it(`${method} ${path}: the 61st anonymous request is wolfpal's 429`, async () => {
      await expectGatedOrRefused(method, path, {
        rateLimited: TOO_MANY,
        unauthenticated: UNAUTHORIZED,
        expected: "gated",
      });
    });
  }
});
