// Storage faults. A D1 failure in the middle of a multi-step write is injected into the REAL test D1
// with a temporary SQLite trigger (RAISE(ABORT) on one statement of the write): the request answers
// 503 service_unavailable and leaves nothing half-written. KV failing under the denylist makes token
// verification fail closed (503 over HTTP, verifier_unavailable for RPC), never "active".
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { introspectAccessToken } from "../src/services/token-verification";
import {
  countRows,
  liveSessionCount,
  logIn,
  PASSWORD,
  sessionOf,
  signUp,
  type TokenPair,
  uniqueEmail,
} from "./support/accounts";
import { dropAllFaults, dropFault, injectFault } from "./support/faults";
import { call, callAndSettle, callWith, readJson } from "./support/http";
import { latestCode } from "./support/mail";

const NEW_PASSWORD = "a brand new long passphrase";
afterEach(dropAllFaults);

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  const text = await response.text();
  expect(JSON.parse(text)).toMatchObject({ code: "service_unavailable", status: 503 });
  // The cause stays in the log: no SQL, trigger name or stack on the wire.
  expect(text).not.toMatch(/injected|SQLITE|D1_|refresh_tokens|\n\s+at /);
}

async function rowsFor(email: string) {
  return env.DB.prepare(
    "select (select count(*) from users where email = ?1) as users, " +
      "(select count(*) from sessions where user_id in (select id from users where email = ?1)) as sessions",
  )
    .bind(email)
    .first<{ users: number; sessions: number }>();
}

async function tokenRow(sessionId: string, generation: number) {
  return env.DB.prepare("select rotated_at, successor_hash from refresh_tokens where session_id = ? and generation = ?")
    .bind(sessionId, generation)
    .first<{ rotated_at: number | null; successor_hash: string | null }>();
}

async function passwordHashOf(userId: string): Promise<string | undefined> {
  const row = await env.DB.prepare("select password_hash from users where id = ?")
    .bind(userId)
    .first<{ password_hash: string }>();
  return row?.password_hash;
}

describe("D1 failing in the middle of a multi-step write", () => {
  it("sign-up: 503, and neither the user nor the session row exists (the batch is atomic)", async () => {
    const email = uniqueEmail("fault");
    const before = [await countRows("users"), await countRows("sessions"), await countRows("refresh_tokens")];
    await injectFault("fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");

    await expectUnavailable(await call("POST", "/v1/signup", { json: { email, password: PASSWORD } }));
    expect(await rowsFor(email)).toEqual({ users: 0, sessions: 0 });
    expect([await countRows("users"), await countRows("sessions"), await countRows("refresh_tokens")]).toEqual(before);

    await dropFault("fail_refresh_insert");
    const retry = await call("POST", "/v1/signup", { json: { email, password: PASSWORD } });
    expect(retry.status).toBe(201);
    expect(await rowsFor(email)).toEqual({ users: 1, sessions: 1 });
  });

  it("login: 503 and no session row without its refresh token", async () => {
    const account = await signUp();
    await injectFault("fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");
    const response = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    await expectUnavailable(response);
    expect(await rowsFor(account.email)).toEqual({ users: 1, sessions: 1 });
  });

  it("refresh rotation: 503, the presented token stays unrotated and works once D1 recovers", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    await injectFault("fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");

    const refresh = () => call("POST", "/v1/token/refresh", { json: { refresh_token: account.tokens.refresh_token } });
    await expectUnavailable(await refresh());
    expect(await tokenRow(sid, 0)).toEqual({ rotated_at: null, successor_hash: null });
    expect(await tokenRow(sid, 1)).toBeNull();
    // Not mistaken for reuse: the session is alive.
    expect(await liveSessionCount(account.userId)).toBe(1);

    await dropFault("fail_refresh_insert");
    const recovered = await refresh();
    expect(recovered.status).toBe(200);
    const next = await readJson<TokenPair>(recovered);
    expect(sessionOf(next.access_token)).toBe(sid);
    expect(await tokenRow(sid, 0)).toMatchObject({ rotated_at: expect.any(Number) });
  });

  it("password change: 503, and the password and the other sessions are as they were", async () => {
    const account = await signUp();
    const other = await logIn(account.email);
    const hashBefore = await passwordHashOf(account.userId);
    await injectFault("fail_session_revoke", "BEFORE UPDATE OF revoked_at", "sessions");

    const change = () =>
      call("POST", "/v1/password/change", {
        token: account.tokens.access_token,
        json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      });
    await expectUnavailable(await change());
    expect(await passwordHashOf(account.userId)).toBe(hashBefore);
    expect(await liveSessionCount(account.userId)).toBe(2);

    await dropFault("fail_session_revoke");
    expect((await change()).status).toBe(204);
    expect(await liveSessionCount(account.userId)).toBe(1);
    expect((await call("GET", "/v1/me", { token: other.access_token })).status).toBe(401);
  });

  it("password reset: 503, and the password and every session are as they were", async () => {
    const account = await signUp();
    expect((await callAndSettle("POST", "/v1/password/forgot", { json: { email: account.email } })).status).toBe(202);
    const { token } = await latestCode(account.email, "reset_password");
    const hashBefore = await passwordHashOf(account.userId);
    await injectFault("fail_session_revoke", "BEFORE UPDATE OF revoked_at", "sessions");

    const reset = await callAndSettle("POST", "/v1/password/reset", { json: { token, new_password: NEW_PASSWORD } });
    await expectUnavailable(reset);
    expect(await passwordHashOf(account.userId)).toBe(hashBefore);
    expect(await liveSessionCount(account.userId)).toBe(1);
  });

  it("account deletion: 503, and the user, sessions and refresh tokens all remain", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    await injectFault("fail_token_delete", "BEFORE DELETE", "refresh_tokens");
    const response = await call("DELETE", "/v1/me", {
      token: account.tokens.access_token,
      json: { password: PASSWORD },
    });
    await expectUnavailable(response);
    expect(await rowsFor(account.email)).toEqual({ users: 1, sessions: 1 });
    expect(await tokenRow(sid, 0)).not.toBeNull();
    expect((await call("GET", "/v1/me", { token: account.tokens.access_token })).status).toBe(200);
  });
});

describe("what a storage failure logs", () => {
  it("logs the storage's own error, never the failed statement's parameters", async () => {
    const account = await signUp();
    const marker = `private-marker-${crypto.randomUUID()}`;
    await injectFault("fail_user_update", "BEFORE UPDATE", "users");
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const response = await callWith(env, "PATCH", "/v1/me", {
        token: account.tokens.access_token,
        json: { name: marker },
      });
      await expectUnavailable(response);
      const lines = logged.mock.calls.map((args) => args.join(" "));
      expect(lines.some((line) => line.includes("injected fault"))).toBe(true);
      expect(lines.join("\n")).not.toContain(marker);
    } finally {
      logged.mockRestore();
    }
  });
});

describe("KV unavailable for the denylist", () => {
  /** The real KV, except that reads throw the way a KV outage does. */
  const failingKv = new Proxy(env.KV, {
    get(target, property, receiver) {
      if (property === "get" || property === "getWithMetadata") {
        return () => Promise.reject(new Error("KV GET failed: 503 Service Unavailable"));
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  /** One object, so its service context (with the failing KV) is built once and cached. */
  const kvDown: Bindings = { ...env, KV: failingKv };

  it("answers /v1/token/verify with 503 service_unavailable, never active, for a valid token", async () => {
    const account = await signUp();
    const response = await callWith(kvDown, "POST", "/v1/token/verify", {
      json: { token: account.tokens.access_token },
    });
    await expectUnavailable(response);
  });

  it("answers the RPC-equivalent service with verifier_unavailable", async () => {
    const account = await signUp();
    const context = await getServiceContext(kvDown);
    expect(await introspectAccessToken(context, account.tokens.access_token)).toEqual({
      active: false,
      rejection: "verifier_unavailable",
    });
    // A token that fails its signature is refused as such: KV is consulted only after the signature.
    const forged = `${account.tokens.access_token.slice(0, -4)}AAAA`;
    expect(await introspectAccessToken(context, forged)).toEqual({ active: false, rejection: "token_invalid" });
  });

  it("still serves /v1/me, which checks the session in D1 and not the denylist", async () => {
    const account = await signUp();
    const me = await callWith(kvDown, "GET", "/v1/me", { token: account.tokens.access_token });
    expect(me.status).toBe(200);
    expect(await readJson(me)).toMatchObject({ id: account.userId });
  });
});
