// Disabling an account over RPC (AuthService.disableUser / enableUser, for operators): every way in
// is refused at once where it reads D1, and its access tokens are denylisted for other verifiers.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liveSessionCount, logIn, PASSWORD, sessionOf, signUp } from "./support/accounts";
import { call, readJson } from "./support/http";

async function disabledAt(userId: string): Promise<number | null | undefined> {
  const row = await env.DB.prepare("select disabled_at from users where id = ?")
    .bind(userId)
    .first<{ disabled_at: number | null }>();
  return row?.disabled_at;
}

describe("AuthService.disableUser", () => {
  it("ends every session, denylists them, and refuses login, refresh, /v1/me and verification", async () => {
    const account = await signUp();
    const second = await logIn(account.email);
    const result = await exports.AuthService.disableUser(account.userId);
    expect(result).toEqual({ disabled: true, sessionsRevoked: 2 });

    expect(await disabledAt(account.userId)).toEqual(expect.any(Number));
    expect(await liveSessionCount(account.userId)).toBe(0);
    for (const tokens of [account.tokens, second]) {
      const sid = sessionOf(tokens.access_token);
      expect(await env.KV.get(`revoked:sid:${sid}`)).not.toBeNull();
      expect(await exports.AuthService.verifyToken(tokens.access_token)).toEqual({
        valid: false,
        code: "token_revoked",
      });
      expect((await call("GET", "/v1/me", { token: tokens.access_token })).status).toBe(401);
      const refreshed = await call("POST", "/v1/token/refresh", { json: { refresh_token: tokens.refresh_token } });
      expect(refreshed.status).toBe(401);
    }
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(login.status).toBe(401);
    expect(await readJson(login)).toMatchObject({ code: "invalid_credentials" });
  });

  it("keeps the first disabled_at when called again and reports no further sessions", async () => {
    const account = await signUp();
    await exports.AuthService.disableUser(account.userId);
    const first = await disabledAt(account.userId);
    expect(await exports.AuthService.disableUser(account.userId)).toEqual({ disabled: true, sessionsRevoked: 0 });
    expect(await disabledAt(account.userId)).toBe(first);
  });

  it("answers user_not_found for an unknown, oversized or non-string id, changing nothing", async () => {
    for (const id of [crypto.randomUUID(), "x".repeat(10_000), 7 as unknown as string]) {
      expect(await exports.AuthService.disableUser(id)).toEqual({ disabled: false, code: "user_not_found" });
      expect(await exports.AuthService.enableUser(id)).toEqual({ enabled: false, code: "user_not_found" });
    }
  });
});

describe("AuthService.enableUser", () => {
  it("lets the account log in again while the sessions that disabling ended stay ended", async () => {
    const account = await signUp();
    await exports.AuthService.disableUser(account.userId);
    expect(await exports.AuthService.enableUser(account.userId)).toEqual({ enabled: true });

    expect(await disabledAt(account.userId)).toBeNull();
    const fresh = await logIn(account.email);
    expect(await exports.AuthService.verifyToken(fresh.access_token)).toMatchObject({ valid: true });
    expect(await exports.AuthService.verifyToken(account.tokens.access_token)).toEqual({
      valid: false,
      code: "token_revoked",
    });
    const old = await call("POST", "/v1/token/refresh", { json: { refresh_token: account.tokens.refresh_token } });
    expect(old.status).toBe(401);
  });
});
