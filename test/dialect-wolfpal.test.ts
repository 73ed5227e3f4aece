// Dialect D, wolfpal: the document's own example requests (form bodies, as its curl lines send them)
// answer its own responses, its SPA's JSON works alike, and a wolfpal account is an account of the
// one core (/v1 logs it in, /v1/me and /v1/token/verify accept its tokens, its logout ends the session).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, introspect, logIn, me, PASSWORD, refresh as refreshV1, signUp } from "./support/accounts";
import {
  INVALID_CREDENTIALS,
  JWT,
  PENDING,
  sessionRow,
  userRowOf,
  wolfpalAccount,
  wolfpalLogIn,
} from "./support/dialect-wolfpal";
import { expectDialectError } from "./support/dialects";
import { APP_ORIGIN, call, callAndSettle, callWith, readJson } from "./support/http";
import { mailTo } from "./support/mail";

// The document's example values, exactly as its curl lines send them.
const DOC = { username: "usermrdemonwolfgithubio", email: "user@mrdemonwolf.github.io" };
const DOC_PASSWORD = "user@mrdemonwolf.github.io";
const DOC_JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1ZjRiZmYxMjEwMzdlNDI0YTE3YTNlYmMiLCJpYXQiOjE1OTkyNDE1OTMsImV4cCI6MTU5OTMyNzk5M30.QtOrs1kJyh7sWDt2Y0_VpPRyXYZcfK9W4SR-YsxCrHk";
const DOC_LOGOUT_JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1ZjEwYjBkMjEwZDZhNzBiZTE0OTdkZTEiLCJpc3MiOiJodHRwczovL2ZlZmE0M2RkZDVjYi5uZ3Jvay5pbyIsImlhdCI6MTU5NDkyOTQzNSwiZXhwIjoxNTk0OTMxMjM1fQ.U5pH17a88I0LSSLzlA4N4pnelgbB3P8358rc_3CKh64";

describe("wolfpal: the document's examples, in order", () => {
  it("Register, Login, Refresh and Logout answer the document's shapes", async () => {
    const registered = await callAndSettle("POST", "/auth/register", {
      form: { ...DOC, password: DOC_PASSWORD },
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get("Cache-Control")).toBe("no-store");
    expect(await readJson(registered)).toEqual(PENDING);
    const user = await userRowOf(DOC.email);
    expect(user).toMatchObject({ username: DOC.username, email_verified: 0 });
    // The confirmation mail: a code and a link to the verification page.
    const [mail] = await mailTo(DOC.email, "verify_email");
    expect(mail?.code).toMatch(/^\d{6}$/);
    expect(mail?.link).toContain("token=");

    // The document's login example sends "uuser@…", one letter off the password it registered.
    const typo = await call("POST", "/auth/login", { form: { email: DOC.email, password: `u${DOC_PASSWORD}` } });
    await expectDialectError(typo, 400, INVALID_CREDENTIALS);
    const login = await call("POST", "/auth/login", { form: { email: DOC.email, password: DOC_PASSWORD } });
    expect(login.status).toBe(200);
    const pair = await readJson<{ access_token: string; refresh_token: string; twoFactor: boolean }>(login);
    expect(Object.keys(pair)).toEqual(["access_token", "refresh_token", "twoFactor"]);
    expect(pair).toEqual({
      access_token: expect.stringMatching(JWT),
      refresh_token: expect.any(String),
      twoFactor: false,
    });

    const refreshed = await call("POST", "/auth/refresh", { form: { refresh_token: pair.refresh_token } });
    expect(refreshed.status).toBe(200);
    const next = await readJson<{ access_token: string; refresh_token: string }>(refreshed);
    expect(Object.keys(next)).toEqual(["access_token", "refresh_token"]);
    expect(next.refresh_token).not.toBe(pair.refresh_token);
    expect(claimsOf(next.access_token).sid).toBe(claimsOf(pair.access_token).sid);

    // The document's logout: the Bearer header and a form content type, no body.
    const logout = await call("POST", "/auth/logout", {
      token: next.access_token,
      contentType: "application/x-www-form-urlencoded",
    });
    expect(logout.status).toBe(200);
    expect(await readJson(logout)).toEqual({ code: "LOGGED_OUT", error: "You are now logged out." });
    expect(await sessionRow(claimsOf(next.access_token).sid)).toMatchObject({ revoked_at: expect.any(Number) });
  });

  it("the document's own tokens are not ours: refresh and logout answer 401, two-factor 400", async () => {
    await expectDialectError(await call("POST", "/auth/refresh", { form: { refresh_token: DOC_JWT } }), 401, {
      code: "INVALID_REFRESH_TOKEN",
      error: "The refresh token is invalid or has expired.",
    });
    const logout = await call("POST", "/auth/logout", {
      token: DOC_LOGOUT_JWT,
      contentType: "application/x-www-form-urlencoded",
    });
    await expectDialectError(logout, 401, { code: "INVALID_TOKEN", error: "The access token is invalid." });
    const twoFactor = await call("POST", "/auth/two-factor", {
      form: { token: "qh8C0G8azJRUJmdn9jCiZNJ0pTLmBldoChcRvPgt31GEOD5sShmHzqn7ROCzqwU2", code: "110450" },
    });
    await expectDialectError(twoFactor, 400, { code: "INVALID_TWO_FACTOR_TOKEN", error: "Invalid two factor token." });
  });
});

describe("wolfpal: its SPA's JSON bodies", () => {
  it("register and log in with JSON; extras are ignored and never stored", async () => {
    const account = await wolfpalAccount();
    expect(account.access_token).toMatch(JWT);
    const extras = { role: "admin", emailVerified: true, name: "Mallory", twoFactor: true };
    const email = `extras-${crypto.randomUUID()}@example.com`;
    const response = await callAndSettle("POST", "/auth/register", {
      json: { username: "ExtrasUser1", email, password: PASSWORD, ...extras },
    });
    expect(response.status).toBe(201);
    const row = await env.DB.prepare("select username, name, email_verified from users where email = ?")
      .bind(email)
      .first();
    // The username is kept in lower case (one account per name however it is typed).
    expect(row).toEqual({ username: "extrasuser1", name: null, email_verified: 0 });
  });

  it("login ignores a stale Bearer header and unknown fields", async () => {
    const account = await wolfpalAccount();
    const response = await call("POST", "/auth/login", {
      json: { email: account.email, password: PASSWORD, remember: true },
      token: account.access_token,
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ twoFactor: false });
  });

  it("login answers INVALID_CREDENTIALS for an unknown address and a wrong password alike", async () => {
    const account = await wolfpalAccount();
    await expectDialectError(await wolfpalLogIn(account.email, "not the password at all"), 400, INVALID_CREDENTIALS);
    await expectDialectError(await wolfpalLogIn("nobody-here@example.com"), 400, INVALID_CREDENTIALS);
  });

  it("refresh rotates: the new token works, and a rotated one reused later ends the session", async () => {
    const account = await wolfpalAccount();
    const first = await call("POST", "/auth/refresh", { json: { refresh_token: account.refresh_token } });
    const { refresh_token: second } = await readJson<{ refresh_token: string }>(first);
    const again = await call("POST", "/auth/refresh", { json: { refresh_token: second } });
    expect(again.status).toBe(200);
    const sid = claimsOf(account.access_token).sid;
    expect(await sessionRow(sid)).toMatchObject({ rotates_refresh_token: 1, revoked_at: null });
    // The first token, two rotations old, is reuse: the whole session ends.
    const reuse = await call("POST", "/auth/refresh", { json: { refresh_token: account.refresh_token } });
    expect(reuse.status).toBe(401);
    expect(await sessionRow(sid)).toMatchObject({ revoked_at: expect.any(Number) });
  });
});

describe("wolfpal accounts are core accounts", () => {
  it("a wolfpal account logs in through /v1/login; its tokens pass /v1/me and /v1/token/verify", async () => {
    const account = await wolfpalAccount();
    const pair = await logIn(account.email);
    expect(claimsOf(pair.access_token).sub).toBe(account.userId);
    const mine = await me(account.access_token);
    expect(mine.status).toBe(200);
    expect(await readJson(mine)).toMatchObject({
      id: account.userId,
      email: account.email,
      username: account.username,
    });
    expect(await introspect(account.access_token)).toMatchObject({ active: true, sub: account.userId });
  });

  it("a /v1 account logs in through wolfpal, and refreshes through /v1/token/refresh", async () => {
    const account = await signUp();
    const response = await wolfpalLogIn(account.email);
    const pair = await readJson<{ access_token: string; refresh_token: string }>(response);
    expect(claimsOf(pair.access_token).sub).toBe(account.userId);
    expect((await refreshV1(pair.refresh_token)).status).toBe(200);
  });

  it("logout through wolfpal ends the session for /v1: me, verify and refresh refuse it", async () => {
    const account = await wolfpalAccount();
    expect((await call("POST", "/auth/logout", { token: account.access_token })).status).toBe(200);
    expect((await me(account.access_token)).status).toBe(401);
    expect(await introspect(account.access_token)).toEqual({ active: false });
    expect((await refreshV1(account.refresh_token)).status).toBe(401);
    const refreshed = await call("POST", "/auth/refresh", { json: { refresh_token: account.refresh_token } });
    await expectDialectError(refreshed, 401, {
      code: "INVALID_REFRESH_TOKEN",
      error: "The refresh token is invalid or has expired.",
    });
    expect(await sessionRow(claimsOf(account.access_token).sid)).toMatchObject({ revoke_reason: "logout" });
  });
});

describe("wolfpal mounted as its document shows it, behind /api", () => {
  const behindApi = { ...env, DIALECTS: "wolfpal", DIALECT_WOLFPAL_PREFIX: "/api" };

  it("answers at /api/auth/…, documents its routes there, and leaves /auth/… unmounted", async () => {
    const account = await wolfpalAccount();
    const login = await callWith(behindApi, "POST", "/api/auth/login", {
      form: { email: account.email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(await readJson(login)).toMatchObject({ twoFactor: false });
    expect((await callWith(behindApi, "POST", "/auth/login", { json: {} })).status).toBe(404);
    const document = await readJson<{ paths: Record<string, unknown> }>(
      await callWith(behindApi, "GET", "/openapi.json"),
    );
    for (const path of ["register", "login", "two-factor", "refresh", "logout"]) {
      expect(document.paths).toHaveProperty([`/api/auth/${path}`, "post"]);
    }
  });

  it("a preflight from an allowlisted origin accepts the headers its SPA sends", async () => {
    const response = await call("OPTIONS", "/auth/logout", {
      headers: {
        Origin: APP_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toMatch(/authorization/);
  });
});
