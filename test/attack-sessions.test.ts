// Attacks on ended sessions: a thief who kept a refresh token (or its rotated predecessor, still inside
// the grace window) or an access token tries to go on after logout, a password change, the account
// being disabled, DELETE /v1/sessions, or the account being deleted and its address registered again.
// Rotation, reuse, concurrency and idle/absolute expiry of refresh itself are in test/refresh.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  claimsOf,
  liveSessionCount,
  logIn,
  PASSWORD,
  refresh,
  sessionOf,
  signUp,
  type TokenPair,
} from "./support/accounts";
import { call, readJson } from "./support/http";

const NEW_PASSWORD = "another long and unusual passphrase";

/** Refreshes once; the new access token names the same user and session as the old one. */
async function rotate(tokens: TokenPair): Promise<TokenPair> {
  const response = await refresh(tokens.refresh_token);
  expect(response.status).toBe(200);
  const next = await readJson<TokenPair>(response);
  expect(claimsOf(next.access_token)).toMatchObject({
    sub: claimsOf(tokens.access_token).sub,
    sid: claimsOf(tokens.access_token).sid,
    email: claimsOf(tokens.access_token).email,
  });
  return next;
}

async function expectRefreshRefused(refreshToken: string): Promise<void> {
  const response = await refresh(refreshToken);
  expect(response.status).toBe(401);
  expect(await readJson(response)).toMatchObject({ code: "invalid_refresh_token" });
}

async function expectAccessRefused(accessToken: string): Promise<void> {
  const me = await call("GET", "/v1/me", { token: accessToken });
  expect(me.status).toBe(401);
  expect(me.headers.get("WWW-Authenticate")).toMatch(/error="invalid_token"/);
  expect(await readJson(me)).toMatchObject({ code: "invalid_token" });
  const verify = await call("POST", "/v1/token/verify", { json: { token: accessToken } });
  expect(await readJson(verify)).toEqual({ active: false });
}

async function familySize(sessionId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from refresh_tokens where session_id = ?")
    .bind(sessionId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function sessionState(sessionId: string) {
  return env.DB.prepare("select revoked_at, revoke_reason from sessions where id = ?")
    .bind(sessionId)
    .first<{ revoked_at: number | null; revoke_reason: string | null }>();
}

describe("after logout", () => {
  it("refuses the session's refresh token and issues nothing for it", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    expect((await call("POST", "/v1/logout", { token: account.tokens.access_token })).status).toBe(204);

    await expectRefreshRefused(account.tokens.refresh_token);
    expect(await familySize(sid)).toBe(1);
    expect(await sessionState(sid)).toMatchObject({ revoke_reason: "logout" });
  });

  it("gives no successor to a rotated token still inside the grace window", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    const current = await rotate(account.tokens);
    expect((await call("POST", "/v1/logout", { token: current.access_token })).status).toBe(204);

    // The predecessor would get the same successor back inside the grace window; not once logged out.
    await expectRefreshRefused(account.tokens.refresh_token);
    await expectRefreshRefused(current.refresh_token);
    expect(await familySize(sid)).toBe(2);
    await expectAccessRefused(current.access_token);
    await expectAccessRefused(account.tokens.access_token);
  });

  it("ended by the refresh token alone, refuses that token and the session's access token", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    const logout = await call("POST", "/v1/logout", { json: { refresh_token: account.tokens.refresh_token } });
    expect(logout.status).toBe(204);

    await expectRefreshRefused(account.tokens.refresh_token);
    await expectAccessRefused(account.tokens.access_token);
    expect(await env.KV.get(`revoked:sid:${sid}`)).not.toBeNull();
  });
});

describe("after a password change", () => {
  it("refuses every other session's refresh token, its grace predecessor and its access token everywhere", async () => {
    const account = await signUp();
    const stolenBefore = await logIn(account.email);
    const stolen = await rotate(stolenBefore);
    const stolenSid = sessionOf(stolen.access_token);

    const change = await call("POST", "/v1/password/change", {
      token: account.tokens.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(change.status).toBe(204);

    await expectRefreshRefused(stolenBefore.refresh_token);
    await expectRefreshRefused(stolen.refresh_token);
    await expectAccessRefused(stolen.access_token);
    expect(await familySize(stolenSid)).toBe(2);
    expect(await sessionState(stolenSid)).toMatchObject({ revoked_at: expect.any(Number) });
    expect(await env.KV.get(`revoked:sid:${stolenSid}`)).not.toBeNull();
    // The session that changed the password goes on.
    expect(await liveSessionCount(account.userId)).toBe(1);
    await rotate(account.tokens);
  });

  it("cannot be undone by the old session changing the password back", async () => {
    const account = await signUp();
    const stolen = await logIn(account.email);
    const change = await call("POST", "/v1/password/change", {
      token: account.tokens.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(change.status).toBe(204);

    const back = await call("POST", "/v1/password/change", {
      token: stolen.access_token,
      json: { current_password: PASSWORD, new_password: "the thief's own passphrase" },
    });
    expect(back.status).toBe(401);
    expect(await readJson(back)).toMatchObject({ code: "invalid_token" });
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: NEW_PASSWORD } });
    expect(login.status).toBe(200);
  });
});

describe("after the account is disabled", () => {
  it("refuses refresh, the grace predecessor and every bearer endpoint at once, rotating nothing", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    const current = await rotate(account.tokens);
    await env.DB.prepare("update users set disabled_at = unixepoch() where id = ?").bind(account.userId).run();

    await expectRefreshRefused(current.refresh_token);
    await expectRefreshRefused(account.tokens.refresh_token);
    expect(await familySize(sid)).toBe(2);
    const rotated = await env.DB.prepare(
      "select count(*) as n from refresh_tokens where session_id = ? and rotated_at is not null",
    )
      .bind(sid)
      .first<{ n: number }>();
    expect(rotated?.n).toBe(1);

    for (const [method, path] of [
      ["GET", "/v1/me"],
      ["GET", "/v1/sessions"],
      ["DELETE", "/v1/sessions"],
    ] as const) {
      const response = await call(method, path, { token: current.access_token });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await readJson(response)).toMatchObject({ code: "invalid_token" });
    }
    const change = await call("POST", "/v1/password/change", {
      token: current.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(change.status).toBe(401);
  });
});

describe("after DELETE /v1/sessions", () => {
  it("gives no successor to a grace-window predecessor of any ended session", async () => {
    const account = await signUp();
    const phone = await rotate(await logIn(account.email));
    const phoneSid = sessionOf(phone.access_token);
    expect((await call("DELETE", "/v1/sessions", { token: account.tokens.access_token })).status).toBe(204);

    await expectRefreshRefused(phone.refresh_token);
    await expectRefreshRefused(account.tokens.refresh_token);
    expect(await familySize(phoneSid)).toBe(2);
    expect(await liveSessionCount(account.userId)).toBe(0);
  });

  it("leaves no live token when a refresh races it", async () => {
    const account = await signUp();
    const [refreshed, ended] = await Promise.all([
      refresh(account.tokens.refresh_token),
      call("DELETE", "/v1/sessions", { token: account.tokens.access_token }),
    ]);
    expect(ended.status).toBe(204);
    // Either may win; whichever did, nothing the refresh issued may outlive the revocation.
    expect([200, 401]).toContain(refreshed.status);
    if (refreshed.status === 200) {
      const next = await readJson<TokenPair>(refreshed);
      await expectRefreshRefused(next.refresh_token);
      await expectAccessRefused(next.access_token);
    }
    expect(await liveSessionCount(account.userId)).toBe(0);
    await expectRefreshRefused(account.tokens.refresh_token);
  });
});

describe("after the account is deleted", () => {
  it("refuses its tokens even once the same address is registered again, and they reach nothing of the new account", async () => {
    const old = await signUp();
    const oldSid = sessionOf(old.tokens.access_token);
    const deleted = await call("DELETE", "/v1/me", { token: old.tokens.access_token, json: { password: PASSWORD } });
    expect(deleted.status).toBe(204);

    const reborn = await signUp({ email: old.email });
    expect(reborn.userId).not.toBe(old.userId);

    await expectAccessRefused(old.tokens.access_token);
    await expectRefreshRefused(old.tokens.refresh_token);
    const other = await call("DELETE", `/v1/sessions/${sessionOf(reborn.tokens.access_token)}`, {
      token: old.tokens.access_token,
    });
    expect(other.status).toBe(401);

    expect(await sessionState(oldSid)).toBeNull();
    expect(await liveSessionCount(reborn.userId)).toBe(1);
    const me = await call("GET", "/v1/me", { token: reborn.tokens.access_token });
    expect(await readJson(me)).toMatchObject({ id: reborn.userId, email: old.email });
  });
});

describe("after the session expired", () => {
  it("refuses its still-unexpired access token at /v1/me once the session is idle too long", async () => {
    const account = await signUp();
    await env.DB.prepare("update sessions set last_used_at = last_used_at - 1209601 where user_id = ?")
      .bind(account.userId)
      .run();
    const me = await call("GET", "/v1/me", { token: account.tokens.access_token });
    expect(me.status).toBe(401);
    expect(await readJson(me)).toMatchObject({ code: "invalid_token" });
  });

  it("refuses its still-unexpired access token at /v1/me once the absolute lifetime is over", async () => {
    const account = await signUp();
    await env.DB.prepare("update sessions set expires_at = unixepoch() - 1 where user_id = ?")
      .bind(account.userId)
      .run();
    const me = await call("GET", "/v1/me", { token: account.tokens.access_token });
    expect(me.status).toBe(401);
    expect(await readJson(me)).toMatchObject({ code: "invalid_token" });
  });
});
