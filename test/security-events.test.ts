// The security event log, written by the action that causes it: sign-ins (succeeded, failed with a
// reason class, the lock engaged), password change and reset, email verified and changed. Each test
// drives the real HTTP routes, then reads what D1 holds; no row holds a password, code or address.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, sessionOf, signUp, uniqueEmail } from "./support/accounts";
import { callAndSettle, readJson } from "./support/http";
import { callRequired, latestCode, signUpPending, wrongCode } from "./support/mail";
import { forgot, NEW_PASSWORD } from "./support/password-reset";
import { eventRowsOf, eventsOfType, expectNoSecretsStored } from "./support/security-events";

const WRONG = "not the passphrase at all";

function login(json: Record<string, unknown>, headers: Record<string, string> = {}, ip?: string) {
  return callAndSettle("POST", "/v1/login", { json, headers, ...(ip ? { ip } : {}) });
}

describe("sign-in events", () => {
  it("records a success with the session, amr, IP and user agent, and the user as actor", async () => {
    const account = await signUp();
    const response = await login(
      { email: account.email, password: PASSWORD },
      { "User-Agent": "Probe/1.0" },
      "203.0.113.7",
    );
    expect(response.status).toBe(200);
    const { access_token } = await readJson<{ access_token: string }>(response);
    const [event] = await eventsOfType(account.userId, "sign_in_succeeded");
    expect(event).toMatchObject({
      subject_user_id: account.userId,
      actor_user_id: account.userId,
      actor_key_id: null,
      ip: "203.0.113.7",
      user_agent: "Probe/1.0",
      detail: { session_id: sessionOf(access_token), amr: "pwd" },
    });
  });

  it("cuts a long user agent to its bound", async () => {
    const account = await signUp();
    const response = await login({ email: account.email, password: PASSWORD }, { "User-Agent": "A".repeat(2000) });
    expect(response.status).toBe(200);
    const [event] = await eventsOfType(account.userId, "sign_in_succeeded");
    expect(event?.user_agent).toBe("A".repeat(256));
  });

  it("records a wrong password as wrong_password, never the password tried", async () => {
    const account = await signUp();
    expect((await login({ email: account.email, password: WRONG })).status).toBe(401);
    const [event] = await eventsOfType(account.userId, "sign_in_failed");
    expect(event).toMatchObject({ actor_user_id: null, detail: { reason: "wrong_password" } });
    await expectNoSecretsStored([WRONG, PASSWORD]);
  });

  it("records an unknown address with no subject and nothing of the address", async () => {
    const email = uniqueEmail("nobody");
    const before = await env.DB.prepare(
      "select count(*) as n from security_events where type = 'sign_in_failed' and subject_user_id is null",
    ).first<{ n: number }>();
    expect((await login({ email, password: WRONG })).status).toBe(401);
    await expect
      .poll(async () => {
        const after = await env.DB.prepare(
          "select count(*) as n, max(detail) as detail from security_events where type = 'sign_in_failed' and subject_user_id is null",
        ).first<{ n: number; detail: string }>();
        return after;
      })
      .toMatchObject({ n: (before?.n ?? 0) + 1, detail: JSON.stringify({ reason: "unknown_account" }) });
    await expectNoSecretsStored([email, email.split("@")[0] ?? email, WRONG]);
  });

  it("engages the lock once on the tenth failure, then records locked refusals", async () => {
    const account = await signUp();
    for (let i = 0; i < 10; i++) expect((await login({ email: account.email, password: WRONG })).status).toBe(401);
    // Locked now: even the right password is refused, and recorded as "locked" (from an IP of its own,
    // so the count below is this attempt's, whatever other files logged).
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
    expect((await login({ email: account.email, password: PASSWORD }, {}, ip)).status).toBe(401);
    const locks = await eventsOfType(account.userId, "lock_engaged");
    expect(locks).toHaveLength(1);
    expect(locks[0]?.detail).toEqual({ lock_seconds: 60, at: "login" });
    const failures = await eventsOfType(account.userId, "sign_in_failed", 10);
    expect(failures.map((row) => row.detail.reason)).toEqual(Array(10).fill("wrong_password"));
    // A refused attempt reads nothing of the account, so its event names no subject.
    await expect
      .poll(async () => {
        const locked = await env.DB.prepare(
          "select count(*) as n from security_events where detail = ? and subject_user_id is null and ip = ?",
        )
          .bind(JSON.stringify({ reason: "locked" }), ip)
          .first<{ n: number }>();
        return locked?.n;
      })
      .toBe(1);
    expect(await eventRowsOf(account.userId)).toHaveLength(11);
  });

  it("records an unverified address's right password as not_verified", async () => {
    const pending = await signUpPending();
    const response = await callRequired("POST", "/v1/login", { json: { email: pending.email, password: PASSWORD } });
    expect(response.status).toBe(403);
    await expect
      .poll(async () => (await eventRowsOf(pending.userId)).map((row) => row.detail))
      .toContain(JSON.stringify({ reason: "not_verified" }));
  });
});

describe("password events", () => {
  it("records a change with the session that made it, and how many others ended", async () => {
    const account = await signUp();
    const response = await callAndSettle("POST", "/v1/password/change", {
      token: account.tokens.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(204);
    const [event] = await eventsOfType(account.userId, "password_changed");
    expect(event).toMatchObject({
      actor_user_id: account.userId,
      detail: { session_id: sessionOf(account.tokens.access_token), sessions_ended: 0 },
    });
    await expectNoSecretsStored([PASSWORD, NEW_PASSWORD]);
  });

  it("records nothing for a change refused for a wrong current password", async () => {
    const account = await signUp();
    const response = await callAndSettle("POST", "/v1/password/change", {
      token: account.tokens.access_token,
      json: { current_password: WRONG, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(401);
    await callAndSettle("GET", "/v1/me", { token: account.tokens.access_token });
    expect((await eventRowsOf(account.userId)).map((row) => row.type)).not.toContain("password_changed");
  });

  it("records the lock a tenth wrong password at a re-check engages, once", async () => {
    const account = await signUp();
    for (let i = 0; i < 11; i++) {
      const response = await callAndSettle("POST", "/v1/password/change", {
        token: account.tokens.access_token,
        json: { current_password: WRONG, new_password: NEW_PASSWORD },
      });
      expect(response.status).toBe(401);
    }
    const [lock] = await eventsOfType(account.userId, "lock_engaged");
    expect(lock?.detail).toEqual({ lock_seconds: 60, at: "password change" });
    expect((await eventRowsOf(account.userId)).filter((row) => row.type === "lock_engaged")).toHaveLength(1);
    await expectNoSecretsStored([WRONG]);
  });

  it("records a reset, never the code or the new password", async () => {
    const account = await signUp();
    const { requestId } = await forgot(account.email);
    const { code } = await latestCode(account.email, "reset_password");
    const wrong = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code: wrongCode(code), new_password: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(400);
    expect((await eventRowsOf(account.userId)).map((row) => row.type)).not.toContain("password_reset");
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(204);
    const [event] = await eventsOfType(account.userId, "password_reset");
    expect(event).toMatchObject({ detail: { via: "reset_password", sessions_ended: 1 } });
    await expectNoSecretsStored([code, NEW_PASSWORD, requestId]);
  });
});

describe("email events", () => {
  it("records a verification with the sign-in it opened, never the code", async () => {
    const pending = await signUpPending();
    const response = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: pending.requestId, code: pending.received.code },
    });
    expect(response.status).toBe(200);
    await eventsOfType(pending.userId, "email_verified");
    const [signIn] = await eventsOfType(pending.userId, "sign_in_succeeded");
    expect(signIn?.detail).toMatchObject({ amr: "otp" });
    await expectNoSecretsStored([pending.received.code ?? "", pending.email]);
  });

  it("records an email change when the new address's code comes back, and neither address", async () => {
    const account = await signUp();
    const newEmail = uniqueEmail("moved");
    const asked = await callAndSettle("POST", "/v1/email/change", {
      token: account.tokens.access_token,
      json: { new_email: newEmail, password: PASSWORD },
    });
    expect(asked.status).toBe(202);
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(asked);
    expect((await eventRowsOf(account.userId)).map((row) => row.type)).not.toContain("email_changed");
    const { code } = await latestCode(newEmail, "email_change_code");
    const response = await callAndSettle("POST", "/v1/email/verify", { json: { otp_request_id, code } });
    expect(response.status).toBe(200);
    const [event] = await eventsOfType(account.userId, "email_changed");
    expect(event).toMatchObject({
      actor_user_id: account.userId,
      detail: { session_id: sessionOf(account.tokens.access_token) },
    });
    await expectNoSecretsStored([account.email, newEmail, code]);
  });
});
