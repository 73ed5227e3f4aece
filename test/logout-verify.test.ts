// Introspection (POST /v1/token/verify, RFC 7662 style) and logout: after logout the access token is
// refused everywhere we check it, the refresh token is dead, and the KV denylist holds both entries.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, me, refresh, sessionOf, signUp } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { call, readJson } from "./support/http";

const verify = (token: string) => call("POST", "/v1/token/verify", { json: { token } });

async function sessionRow(sessionId: string) {
  return env.DB.prepare("select revoked_at, revoke_reason from sessions where id = ?")
    .bind(sessionId)
    .first<{ revoked_at: number | null; revoke_reason: string | null }>();
}

/** The expiry KV recorded for a key, in Unix seconds. */
async function kvExpiration(key: string): Promise<number | undefined> {
  const { keys } = await env.KV.list({ prefix: key });
  return keys.find((entry) => entry.name === key)?.expiration;
}

async function expectRefusedEverywhere(tokens: { access_token: string; refresh_token: string }): Promise<void> {
  const introspection = await verify(tokens.access_token);
  expect(introspection.status).toBe(200);
  expect(await readJson(introspection)).toEqual({ active: false });

  const profile = await me(tokens.access_token);
  expect(profile.status).toBe(401);
  expect(profile.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  expect(await readJson(profile)).toMatchObject({ code: "invalid_token" });

  const refreshed = await refresh(tokens.refresh_token);
  expect(refreshed.status).toBe(401);
  expect(await readJson(refreshed)).toMatchObject({ code: "invalid_refresh_token" });
}

describe("POST /v1/token/verify", () => {
  it("answers a valid access token with active: true and exactly its claims", async () => {
    const account = await signUp();
    const response = await verify(account.tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await readJson(response);
    expect(Object.keys(body).sort()).toEqual(
      ["active", "amr", "aud", "email", "email_verified", "exp", "iat", "iss", "jti", "sid", "sub"].sort(),
    );
    const claims = claimsOf(account.tokens.access_token);
    expect(body).toEqual({
      active: true,
      sub: account.userId,
      sid: claims.sid,
      jti: claims.jti,
      iss: "https://auth.test",
      aud: "edge-auth-test",
      exp: claims.exp,
      iat: claims.iat,
      email: account.email,
      email_verified: false,
      amr: ["pwd"],
    });
    expect(Number(body.exp) - Number(body.iat)).toBe(900);
  });

  it("accepts the token as a form field, as RFC 7662 clients send it", async () => {
    const account = await signUp();
    const response = await call("POST", "/v1/token/verify", { form: { token: account.tokens.access_token } });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ active: true, sub: account.userId });
  });

  it("answers anything that is not a valid access token with only active: false", async () => {
    const account = await signUp();
    const [header, payload] = account.tokens.access_token.split(".");
    const garbage = [
      "garbage",
      "",
      "a.b.c",
      `${header}.${payload}.`,
      `${header}.${payload}.${"A".repeat(86)}`,
      account.tokens.refresh_token,
      account.tokens.access_token.toUpperCase(),
    ];
    for (const token of garbage) {
      const response = await verify(token);
      expect(response.status, token).toBe(200);
      expect(await readJson(response)).toEqual({ active: false });
    }
  });
});

describe("POST /v1/logout", () => {
  it("with a bearer token answers 204, revokes the session in D1 and denylists the sid in KV for the token's whole life", async () => {
    const account = await signUp();
    const { jti, sid, exp } = claimsOf(account.tokens.access_token);

    const response = await call("POST", "/v1/logout", { token: account.tokens.access_token });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");

    expect(await sessionRow(sid)).toMatchObject({ revoke_reason: "logout" });
    expect(await sessionRow(sid)).not.toMatchObject({ revoked_at: null });
    expect(await env.KV.get(`revoked:sid:${sid}`)).not.toBeNull();
    // One key per session: no per-token entry is written.
    expect(await env.KV.get(`revoked:jti:${jti}`)).toBeNull();
    // The sid entry outlives every access token of the session, this one included.
    expect(await kvExpiration(`revoked:sid:${sid}`)).toBeGreaterThanOrEqual(exp - 2);

    await expectRefusedEverywhere(account.tokens);
  });

  it("with the refresh token of a session already revoked in D1 restores a denylist entry KV lost", async () => {
    freezeClock();
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    expect((await call("POST", "/v1/logout", { token: account.tokens.access_token })).status).toBe(204);
    // As if the KV write of that first logout had failed.
    await env.KV.delete(`revoked:sid:${sid}`);
    // This isolate remembers its own revocation for DENYLIST_CACHE_TTL_SECONDS (5 in tests); after that it reads KV.
    advanceClock(5);
    expect(await readJson(await verify(account.tokens.access_token))).toMatchObject({ active: true });

    const response = await call("POST", "/v1/logout", { json: { refresh_token: account.tokens.refresh_token } });
    expect(response.status).toBe(204);
    expect(await env.KV.get(`revoked:sid:${sid}`)).not.toBeNull();
    await expectRefusedEverywhere(account.tokens);
  });

  it("with only the refresh token in the body ends that session and refuses its access token", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);

    const response = await call("POST", "/v1/logout", { json: { refresh_token: account.tokens.refresh_token } });
    expect(response.status).toBe(204);

    expect(await sessionRow(sid)).toMatchObject({ revoke_reason: "logout" });
    expect(await env.KV.get(`revoked:sid:${sid}`)).not.toBeNull();
    await expectRefusedEverywhere(account.tokens);
  });

  it("with neither a bearer token nor a refresh token answers 401 invalid_token", async () => {
    for (const options of [{}, { json: {} }, { form: {} }]) {
      const response = await call("POST", "/v1/logout", options);
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
      expect(await readJson(response)).toMatchObject({ code: "invalid_token" });
    }
  });

  it("refuses an invalid bearer token with 401 and does not act on the refresh token beside it", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    const response = await call("POST", "/v1/logout", {
      token: `${account.tokens.access_token}x`,
      json: { refresh_token: account.tokens.refresh_token },
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_token" });
    expect(await sessionRow(sid)).toMatchObject({ revoked_at: null });
  });

  it("answers 204 for an unknown refresh token and revokes nothing (RFC 7009 §2.2)", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    const response = await call("POST", "/v1/logout", { json: { refresh_token: "unknown-refresh-token" } });
    expect(response.status).toBe(204);
    expect(await sessionRow(sid)).toMatchObject({ revoked_at: null });
    expect((await me(account.tokens.access_token)).status).toBe(200);
  });

  it("does not end another user's session when their refresh token comes with the caller's bearer token", async () => {
    const caller = await signUp();
    const victim = await signUp();
    const victimSid = sessionOf(victim.tokens.access_token);

    const response = await call("POST", "/v1/logout", {
      token: caller.tokens.access_token,
      json: { refresh_token: victim.tokens.refresh_token },
    });
    expect(response.status).toBe(204);
    expect(await sessionRow(victimSid)).toMatchObject({ revoked_at: null });
    expect(await env.KV.get(`revoked:sid:${victimSid}`)).toBeNull();
    expect((await me(victim.tokens.access_token)).status).toBe(200);
    expect(await readJson(await verify(caller.tokens.access_token))).toEqual({ active: false });
  });

  it("refuses a second logout with the same access token", async () => {
    const account = await signUp();
    expect((await call("POST", "/v1/logout", { token: account.tokens.access_token })).status).toBe(204);
    const again = await call("POST", "/v1/logout", { token: account.tokens.access_token });
    expect(again.status).toBe(401);
    expect(await readJson(again)).toMatchObject({ code: "invalid_token" });
  });
});
