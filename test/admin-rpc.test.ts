// The admin API over RPC (AuthService admin methods), for Workers holding the service binding: the
// same operations and shapes as /v1/admin/…, `{ ok, … }` answers, input checked at the boundary, and
// each action recorded with no acting key (`via: "rpc"`). issueAdminApiKey is the only way to mint an
// admin key.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liveSessionCount, logIn, PASSWORD, refresh, signUp } from "./support/accounts";
import { adminCall, adminEventsAbout, eventually, rowCount, userRow } from "./support/admin";
import { keyRow } from "./support/api-keys";
import { call } from "./support/http";
import { signUpWithTotp, totpRow } from "./support/totp";

const rpc = exports.AuthService;

describe("issueAdminApiKey", () => {
  it("mints a working admin key, shown once and stored only hashed", async () => {
    const owner = await signUp();
    const result = await rpc.issueAdminApiKey({ user_id: owner.userId, name: "ops", expires_in: 3600 });
    if (!result.ok) throw new Error(result.code);
    expect(result.key).toMatchObject({ scopes: ["admin"], name: "ops", expires_at: expect.any(String) });
    const row = await keyRow(result.key.id);
    expect(row).toMatchObject({ user_id: owner.userId, scopes: '["admin"]' });
    expect(JSON.stringify(row)).not.toContain(result.api_key);
    expect((await adminCall(result.api_key, "GET", "/v1/admin/users?limit=1")).status).toBe(200);
  });

  it("refuses an unknown or disabled owner and bad input, minting nothing", async () => {
    expect(await rpc.issueAdminApiKey({ user_id: crypto.randomUUID(), name: "x" })).toEqual({
      ok: false,
      code: "user_not_found",
    });
    const disabled = await signUp();
    await rpc.adminDisableUser(disabled.userId);
    expect(await rpc.issueAdminApiKey({ user_id: disabled.userId, name: "x" })).toMatchObject({
      code: "user_not_found",
    });
    expect(await rowCount("api_keys", "user_id", disabled.userId)).toBe(0);
    for (const input of [
      {},
      { user_id: disabled.userId },
      { user_id: 1, name: "x" },
      { user_id: "u", name: "x", scopes: ["verify"] },
    ]) {
      const refused = await rpc.issueAdminApiKey(input as never);
      expect(refused).toMatchObject({ ok: false, code: "invalid_request", errors: expect.any(Array) });
    }
  });
});

describe("adminListUsers and adminGetUser", () => {
  it("pages by cursor, finds by email, and refuses a bad cursor or date naming the field", async () => {
    const base = 900_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const account = await signUp();
      await env.DB.prepare("update users set created_at = ? where id = ?")
        .bind(base + index, account.userId)
        .run();
      ids.unshift(account.userId);
    }
    const range = {
      created_after: new Date((base - 1) * 1000).toISOString(),
      created_before: new Date((base + 3) * 1000).toISOString(),
    };
    const first = await rpc.adminListUsers({ ...range, limit: 2 });
    if (!first.ok || !first.next_cursor) throw new Error("no first page");
    const second = await rpc.adminListUsers({ ...range, limit: 2, cursor: first.next_cursor });
    if (!second.ok) throw new Error(second.code);
    expect([...first.users, ...second.users].map((user) => user.id)).toEqual(ids);
    expect(second.next_cursor).toBeNull();
    const found = await signUp();
    const byEmail = await rpc.adminListUsers({ email: found.email.toUpperCase() });
    expect(byEmail).toMatchObject({ ok: true, users: [{ id: found.userId }], next_cursor: null });

    expect(await rpc.adminListUsers({ cursor: "nope!" })).toMatchObject({
      ok: false,
      code: "invalid_request",
      errors: [expect.objectContaining({ field: "cursor" })],
    });
    expect(await rpc.adminListUsers({ created_after: "soon" })).toMatchObject({ code: "invalid_request" });
    expect(await rpc.adminListUsers({ limit: 101 })).toMatchObject({ code: "invalid_request" });
  });

  it("answers one user's detail, or user_not_found for an unknown or non-string id", async () => {
    const account = await signUpWithTotp();
    const detail = await rpc.adminGetUser(account.userId);
    expect(detail).toMatchObject({ ok: true, user: { id: account.userId }, factors: { totp: { confirmed: true } } });
    for (const id of [crypto.randomUUID(), 42, "x".repeat(65)]) {
      expect(await rpc.adminGetUser(id as string)).toEqual({ ok: false, code: "user_not_found" });
    }
  });
});

describe("the account actions over RPC", () => {
  it("disable, enable, revoke sessions, verify email, reset MFA and delete, each leaving its state", async () => {
    const account = await signUpWithTotp();
    expect(await rpc.adminVerifyEmail(account.userId)).toMatchObject({ ok: true, user: { email_verified: true } });
    expect(await rpc.adminResetMfa(account.userId)).toMatchObject({ ok: true, totp_removed: true });
    expect(await totpRow(account.userId)).toBeNull();

    const session = await logIn(account.email);
    expect(await rpc.adminRevokeSessions(account.userId)).toEqual({ ok: true, sessions_revoked: 2 });
    expect((await refresh(session.refresh_token)).status).toBe(401);

    const again = await logIn(account.email);
    expect(await rpc.adminDisableUser(account.userId)).toEqual({ ok: true, sessions_revoked: 1 });
    expect(await rpc.verifyToken(again.access_token)).toEqual({ valid: false, code: "token_revoked" });
    expect((await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } })).status).toBe(401);
    expect(await rpc.adminEnableUser(account.userId)).toEqual({ ok: true });
    expect((await userRow(account.userId))?.disabled_at).toBeNull();

    expect(await rpc.adminDeleteUser(account.userId)).toEqual({ ok: true });
    expect(await userRow(account.userId)).toBeNull();
    expect(await liveSessionCount(account.userId)).toBe(0);
    expect(await rpc.adminDeleteUser(account.userId)).toEqual({ ok: false, code: "user_not_found" });

    const events = await eventually(
      () => adminEventsAbout(account.userId),
      (rows) => rows.length >= 6,
    );
    expect(events.map((event) => JSON.parse(event.detail).action).sort()).toEqual([
      "delete",
      "disable",
      "enable",
      "reset_mfa",
      "revoke_sessions",
      "verify_email",
    ]);
    for (const event of events) expect(event).toMatchObject({ actor_key_id: null, actor_user_id: null });
    const listed = await rpc.adminListUserEvents(account.userId, { limit: 100 });
    expect(listed).toMatchObject({
      ok: true,
      events: expect.arrayContaining([expect.objectContaining({ actor: { type: "admin", id: null } })]),
    });
    expect(await rpc.adminListUserEvents(account.userId, { cursor: "?" })).toMatchObject({ code: "invalid_request" });
  });

  it("answers user_not_found for unknown and non-string ids, changing nothing", async () => {
    for (const id of [crypto.randomUUID(), 7, null, "y".repeat(100)]) {
      for (const method of [
        "adminDisableUser",
        "adminEnableUser",
        "adminDeleteUser",
        "adminRevokeSessions",
        "adminVerifyEmail",
        "adminResetMfa",
      ] as const) {
        expect(await rpc[method](id as string), method).toEqual({ ok: false, code: "user_not_found" });
      }
    }
  });
});

describe("storage failing under the admin methods", () => {
  it("answers service_unavailable, never a thrown error, and changes nothing", async () => {
    const account = await signUp();
    // A storage error on this one account's row only, so no other test meets it.
    const fault = `fail_admin_${account.userId.replaceAll("-", "")}`;
    const raise = "BEGIN SELECT RAISE(ABORT, 'injected fault'); END;";
    await env.DB.exec(`CREATE TRIGGER ${fault}_u BEFORE UPDATE ON users WHEN OLD.id = '${account.userId}' ${raise}`);
    await env.DB.exec(
      `CREATE TRIGGER ${fault}_k BEFORE INSERT ON api_keys WHEN NEW.user_id = '${account.userId}' ${raise}`,
    );
    try {
      const unavailable = { ok: false, code: "service_unavailable" };
      expect(await rpc.adminDisableUser(account.userId)).toEqual(unavailable);
      expect(await rpc.adminVerifyEmail(account.userId)).toEqual(unavailable);
      expect(await rpc.issueAdminApiKey({ user_id: account.userId, name: "x" })).toEqual(unavailable);
    } finally {
      for (const suffix of ["u", "k"]) await env.DB.exec(`DROP TRIGGER IF EXISTS ${fault}_${suffix};`);
    }
    expect(await userRow(account.userId)).toMatchObject({ disabled_at: null, email_verified: 0 });
    expect(await rowCount("api_keys", "user_id", account.userId)).toBe(0);
    expect(await liveSessionCount(account.userId)).toBe(1);
  });
});
