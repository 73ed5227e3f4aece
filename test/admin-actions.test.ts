// What the admin API does to an account, and the state it leaves: a disabled user cannot log in and
// their old access token is refused by /v1/token/verify; a deleted user's rows are gone; ended
// sessions cannot refresh; verify-email sets the flag; an MFA reset removes every factor and the
// logins waiting on one. Each action is one admin_action event naming the key; unknown ids are 404.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { introspect, liveSessionCount, logIn, PASSWORD, refresh, signUp } from "./support/accounts";
import { ADMIN_ROUTES, adminCall, adminEventsAbout, issueAdminKey, pathFor, rowCount, userRow } from "./support/admin";
import { createKey } from "./support/api-keys";
import { call, expectProblem, readJson } from "./support/http";
import { completeMfa, logInToMfa, signUpWithTotp, totpCode, totpRow } from "./support/totp";

const admin = await issueAdminKey();
const act = (userId: string, action: string) => adminCall(admin.apiKey, "POST", `/v1/admin/users/${userId}/${action}`);

async function expectOneEvent(userId: string, action: string): Promise<void> {
  const events = (await adminEventsAbout(userId)).filter((event) => JSON.parse(event.detail).action === action);
  expect(events).toEqual([
    expect.objectContaining({ actor_key_id: admin.id, actor_user_id: admin.owner.userId, subject_user_id: userId }),
  ]);
  expect(JSON.parse(events[0]?.detail ?? "{}")).toEqual({ action, via: "api" });
}

describe("disable and enable", () => {
  it("disabling ends every session: no login, no refresh, the old access token inactive; enable lets login back", async () => {
    const account = await signUp();
    const second = await logIn(account.email);
    const response = await act(account.userId, "disable");
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ sessions_revoked: 2 });
    expect((await userRow(account.userId))?.disabled_at).toEqual(expect.any(Number));
    expect(await liveSessionCount(account.userId)).toBe(0);
    for (const tokens of [account.tokens, second]) {
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
      expect((await refresh(tokens.refresh_token)).status).toBe(401);
    }
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    await expectProblem(login, 401, "invalid_credentials");
    await expectOneEvent(account.userId, "disable");

    expect((await act(account.userId, "enable")).status).toBe(204);
    expect((await userRow(account.userId))?.disabled_at).toBeNull();
    expect((await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } })).status).toBe(200);
    // The sessions disabling ended stay ended.
    expect((await refresh(account.tokens.refresh_token)).status).toBe(401);
    await expectOneEvent(account.userId, "enable");
  });

  it("also kills the access tokens a client exchanged for one of the user's keys", async () => {
    const account = await signUp();
    const key = await createKey(account);
    const exchanged = await call("POST", "/v1/oauth/token", {
      token: key.api_key,
      form: { grant_type: "client_credentials" },
    });
    const { access_token } = await readJson<{ access_token: string }>(exchanged);
    expect(await introspect(access_token)).toMatchObject({ active: true });
    expect((await act(account.userId, "disable")).status).toBe(200);
    expect(await introspect(access_token)).toEqual({ active: false });
  });

  it("parallel disables revoke each session once between them", async () => {
    const account = await signUp();
    await logIn(account.email);
    const answers = await Promise.all(Array.from({ length: 5 }, () => act(account.userId, "disable")));
    const bodies = await Promise.all(answers.map((answer) => readJson<{ sessions_revoked: number }>(answer)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(200));
    expect(bodies.reduce((sum, body) => sum + body.sessions_revoked, 0)).toBe(2);
  });
});

describe("delete", () => {
  it("removes the user, sessions, refresh tokens and keys; the access token is inactive; a second delete is 404", async () => {
    const account = await signUp();
    await createKey(account);
    const response = await adminCall(admin.apiKey, "DELETE", `/v1/admin/users/${account.userId}`);
    expect(response.status).toBe(204);
    expect(await userRow(account.userId)).toBeNull();
    for (const table of ["sessions", "api_keys", "totp_factors", "recovery_codes"]) {
      expect(await rowCount(table, "user_id", account.userId), table).toBe(0);
    }
    expect(await introspect(account.tokens.access_token)).toEqual({ active: false });
    expect((await refresh(account.tokens.refresh_token)).status).toBe(401);
    await expectOneEvent(account.userId, "delete");
    const again = await adminCall(admin.apiKey, "DELETE", `/v1/admin/users/${account.userId}`);
    await expectProblem(again, 404, "user_not_found");
  });
});

describe("sessions/revoke", () => {
  it("ends every session (refresh refused, tokens inactive) and the user may log in again", async () => {
    const account = await signUp();
    const second = await logIn(account.email);
    const response = await act(account.userId, "sessions/revoke");
    expect(await readJson(response)).toEqual({ sessions_revoked: 2 });
    expect(await liveSessionCount(account.userId)).toBe(0);
    for (const tokens of [account.tokens, second]) {
      expect((await refresh(tokens.refresh_token)).status).toBe(401);
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
    }
    expect((await userRow(account.userId))?.disabled_at).toBeNull();
    expect((await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } })).status).toBe(200);
    await expectOneEvent(account.userId, "revoke_sessions");
  });
});

describe("verify-email", () => {
  it("sets the flag and answers the user", async () => {
    const account = await signUp();
    expect((await userRow(account.userId))?.email_verified).toBe(0);
    const response = await act(account.userId, "verify-email");
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ id: account.userId, email_verified: true });
    expect((await userRow(account.userId))?.email_verified).toBe(1);
    await expectOneEvent(account.userId, "verify_email");
  });
});

describe("mfa/reset", () => {
  it("removes TOTP, recovery codes and SMS sign-in, and a login waiting on them cannot finish", async () => {
    const account = await signUpWithTotp();
    await env.DB.prepare(
      "update users set phone = '+15555550100', phone_verified = 1, sms_mfa_enabled = 1 where id = ?",
    )
      .bind(account.userId)
      .run();
    const pending = await logInToMfa(account.email);
    const response = await act(account.userId, "mfa/reset");
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({
      totp_removed: true,
      recovery_codes_removed: 10,
      sms_sign_in_was_on: true,
      challenges_ended: 1,
    });
    expect(await totpRow(account.userId)).toBeNull();
    expect(await rowCount("recovery_codes", "user_id", account.userId)).toBe(0);
    expect((await userRow(account.userId))?.sms_mfa_enabled).toBe(0);
    const finished = await completeMfa(pending.mfa_token, { code: await totpCode(account.secret) });
    await expectProblem(finished, 401, "invalid_mfa_token");
    // The password alone now signs in: no second factor is left.
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(await readJson(login)).toHaveProperty("access_token");
    await expectOneEvent(account.userId, "reset_mfa");
  });
});

describe("unknown and malformed ids", () => {
  it("every route that names a user answers 404 user_not_found and writes no event", async () => {
    for (const [method, template] of ADMIN_ROUTES) {
      if (!template.includes(":id") || template.endsWith("/events")) continue;
      for (const id of [crypto.randomUUID(), "a".repeat(65)]) {
        // The one route that takes a body gets a valid one: the unknown user is what is refused.
        const body = template.endsWith("/role") ? { json: { role: "admin" } } : {};
        const response = await adminCall(admin.apiKey, method, pathFor(template, id), body);
        await expectProblem(response, 404, "user_not_found");
        expect(await adminEventsAbout(id)).toEqual([]);
      }
    }
  });

  it("an action refuses a body with fields in it, changing nothing", async () => {
    const account = await signUp();
    const response = await adminCall(admin.apiKey, "POST", `/v1/admin/users/${account.userId}/disable`, {
      json: { reason: "spam" },
    });
    await expectProblem(response, 400, "invalid_request");
    expect((await userRow(account.userId))?.disabled_at).toBeNull();
  });
});
