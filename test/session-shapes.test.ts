// Sessions in more shapes, and tokens read from more places: a session whose refresh token never
// rotates (recorded at creation, carried through an MFA challenge), and the one transport module
// that reads access and refresh tokens from Bearer, a named header, the body or the cookie.
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import type { AppEnv } from "../src/routes/http/app-env";
import { presentedRefreshToken, readAccessToken, type TokenSources } from "../src/routes/http/token-transport";
import { logIn } from "../src/services/account-service";
import type { ClientInfo } from "../src/services/context";
import { PASSWORD, signUp } from "./support/accounts";
import { call, readJson } from "./support/http";
import { completeMfa, signUpWithTotp, totpCode } from "./support/totp";

const FIXED: ClientInfo = { userAgent: "legacy-client/1.0", ip: "192.0.2.10", rotatesRefreshToken: false };

async function logInFixed(email: string) {
  const context = await getServiceContext(env as Bindings);
  const result = await logIn(context, { email, password: PASSWORD }, FIXED);
  if (!result.ok) throw new Error(`login failed: ${result.error.code}`);
  return result.value;
}

async function refresh(refreshToken: string): Promise<Response> {
  return call("POST", "/v1/token/refresh", { json: { refresh_token: refreshToken } });
}

async function sessionRow(sessionId: string) {
  return env.DB.prepare("select rotates_refresh_token, revoked_at from sessions where id = ?")
    .bind(sessionId)
    .first<{ rotates_refresh_token: number; revoked_at: number | null }>();
}

describe("a session whose refresh token does not rotate", () => {
  it("answers every refresh with a new access token and the same refresh token, and never calls it reuse", async () => {
    const account = await signUp();
    const outcome = await logInFixed(account.email);
    if (outcome.kind !== "session") throw new Error("expected a session");
    const { refreshToken, sessionId } = outcome.tokens;
    expect(await sessionRow(sessionId)).toEqual({ rotates_refresh_token: 0, revoked_at: null });

    const accessTokens = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      const response = await refresh(refreshToken);
      expect(response.status).toBe(200);
      const body = await readJson<{ access_token: string; refresh_token: string }>(response);
      expect(body.refresh_token).toBe(refreshToken);
      accessTokens.add(body.access_token);
      expect((await call("GET", "/v1/me", { token: body.access_token })).status).toBe(200);
    }
    expect(accessTokens.size).toBe(3);
    const rows = await env.DB.prepare("select count(*) as n from refresh_tokens where session_id = ?")
      .bind(sessionId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
    expect((await sessionRow(sessionId))?.revoked_at).toBeNull();
  });

  it("ends like any other: after logout its refresh token is refused", async () => {
    const account = await signUp();
    const outcome = await logInFixed(account.email);
    if (outcome.kind !== "session") throw new Error("expected a session");
    const logout = await call("POST", "/v1/logout", { json: { refresh_token: outcome.tokens.refreshToken } });
    expect(logout.status).toBe(204);
    const refused = await refresh(outcome.tokens.refreshToken);
    expect(refused.status).toBe(401);
    expect(await readJson(refused)).toMatchObject({ code: "invalid_refresh_token" });
  });

  it("keeps its shape through the MFA step: the challenge remembers it", async () => {
    const account = await signUpWithTotp();
    const outcome = await logInFixed(account.email);
    if (outcome.kind !== "mfa_required") throw new Error("expected an MFA challenge");
    const finished = await completeMfa(outcome.mfaToken, { code: await totpCode(account.secret) });
    expect(finished.status).toBe(200);
    const { refresh_token } = await readJson<{ refresh_token: string }>(finished);
    const again = await readJson<{ refresh_token: string }>(await refresh(refresh_token));
    expect(again.refresh_token).toBe(refresh_token);
  });

  it("leaves the default as it was: a native login rotates, and a rotated token that returns is reuse", async () => {
    const account = await signUp();
    const first = await readJson<{ refresh_token: string }>(await refresh(account.tokens.refresh_token));
    expect(first.refresh_token).not.toBe(account.tokens.refresh_token);
    await refresh(first.refresh_token);
    const reused = await refresh(account.tokens.refresh_token);
    expect(reused.status).toBe(401);
    expect(await readJson(reused)).toMatchObject({ code: "invalid_refresh_token" });
  });
});

describe("the token transport", () => {
  async function read(sources: TokenSources, init: { headers?: Record<string, string>; body?: string }) {
    const app = new Hono<AppEnv>();
    const services = await getServiceContext(env as Bindings);
    app.post("/", (c) => {
      c.set("services", services);
      return c.json({
        access: readAccessToken(c, sources),
        refresh: presentedRefreshToken(c, services.config, init.body, sources),
      });
    });
    const response = await app.request("/", { method: "POST", headers: init.headers ?? {} });
    return readJson<{ access: string | null; refresh: string | null }>(response);
  }

  it("reads the access token from Bearer by default, in any case of the scheme", async () => {
    expect(await read({}, { headers: { Authorization: "bearer abc.def" } })).toMatchObject({ access: "abc.def" });
    expect(await read({}, { headers: { Authorization: "Basic abc" } })).toMatchObject({ access: null });
  });

  it("reads a surface's own headers, and ignores Bearer for the access token there", async () => {
    const sources = { accessTokenHeader: "X-NAP-Session-Token", refreshTokenHeader: "X-NAP-Refresh-Token" };
    const headers = { "X-NAP-Session-Token": "at", "X-NAP-Refresh-Token": "rt", Authorization: "Bearer other" };
    expect(await read(sources, { headers })).toEqual({ access: "at", refresh: "rt" });
  });

  it("takes a refresh token sent as Bearer where the surface allows it, else the body", async () => {
    const bearer = await read({ refreshTokenAsBearer: true }, { headers: { Authorization: "Bearer rt-1" } });
    expect(bearer.refresh).toBe("rt-1");
    expect((await read({ refreshTokenAsBearer: true }, { body: "rt-2" })).refresh).toBe("rt-2");
    expect((await read({}, { headers: { Authorization: "Bearer rt-1" }, body: "rt-2" })).refresh).toBe("rt-2");
  });

  it("refuses an oversized header token before any work", async () => {
    const huge = "a".repeat(5000);
    expect(await read({}, { headers: { Authorization: `Bearer ${huge}` } })).toMatchObject({ access: null });
    const named = await read({ accessTokenHeader: "X-Token" }, { headers: { "X-Token": huge } });
    expect(named.access).toBeNull();
  });
});
