// Login of an account with TOTP: the password (or a mail link) answers an MFA challenge and no
// session; a TOTP code finishes it, once per time step. Limits: test/mfa-challenge.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { claimsOf, PASSWORD, sessionRowCount, signUp } from "./support/accounts";
import { call, callAndSettle, callWith, readJson } from "./support/http";
import { latestCode } from "./support/mail";
import {
  challengeRowsOf,
  completeMfa,
  holdTotpStep,
  logInToMfa,
  signUpWithTotp,
  totpCode,
  totpRow,
  wrongTotpCode,
} from "./support/totp";

const tokensOf = (response: Response) =>
  readJson<{ access_token: string; refresh_token: string; token_type: string; expires_in: number }>(response);

describe("POST /v1/login for an account with TOTP", () => {
  it("answers 200 mfa_required with a token and the methods, and creates no session", async () => {
    const account = await signUpWithTotp();
    const sessionsBefore = await sessionRowCount(account.userId);
    const response = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("Set-Cookie")).toBeNull();
    const body = await readJson(response);
    expect(body).toEqual({
      mfa_required: true,
      mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      methods: ["totp", "recovery_code"],
      expires_in: 300,
    });
    expect(body).not.toHaveProperty("access_token");
    expect(body).not.toHaveProperty("refresh_token");
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore);
    const stored = await env.DB.prepare("select token_hash from mfa_challenges where user_id = ?")
      .bind(account.userId)
      .all<{ token_hash: string }>();
    expect(stored.results.map((row) => row.token_hash)).not.toContain(body.mfa_token);
  });

  it("sets no refresh cookie in cookie mode until the second factor is done", async () => {
    const account = await signUpWithTotp();
    const cookieEnv: Bindings = { ...env, REFRESH_TOKEN_TRANSPORT: "cookie" };
    const response = await callWith(cookieEnv, "POST", "/v1/login", {
      json: { email: account.email, password: PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Set-Cookie")).toBeNull();
    expect(await readJson(response)).toMatchObject({ mfa_required: true });
  });

  it("still answers 401 invalid_credentials for a wrong password, with no challenge", async () => {
    const account = await signUpWithTotp();
    const response = await call("POST", "/v1/login", { json: { email: account.email, password: "wrong password!" } });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
    expect(await challengeRowsOf(account.userId)).toEqual([]);
  });
});

describe("POST /v1/login/mfa with a TOTP code", () => {
  it("opens a session whose access token and row record pwd, otp and mfa in amr", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    const sessionsBefore = await sessionRowCount(account.userId);
    const response = await completeMfa(mfa_token, { code: await totpCode(account.secret) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const tokens = await tokensOf(response);
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const claims = claimsOf(tokens.access_token);
    expect(claims.sub).toBe(account.userId);
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore + 1);
    const session = await env.DB.prepare("select amr from sessions where id = ?")
      .bind(claims.sid)
      .first<{ amr: string }>();
    expect(JSON.parse(session?.amr ?? "[]")).toEqual(["pwd", "otp", "mfa"]);
    expect((await call("GET", "/v1/me", { token: tokens.access_token })).status).toBe(200);
    const refreshed = await call("POST", "/v1/token/refresh", { json: { refresh_token: tokens.refresh_token } });
    expect(claimsOf((await tokensOf(refreshed)).access_token).amr).toEqual(["pwd", "otp", "mfa"]);
  });

  it("accepts a code one step early or late, and refuses two steps away with 400 invalid_mfa_code", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    for (const offset of [-2, 2]) {
      const { mfa_token } = await logInToMfa(account.email);
      const response = await completeMfa(mfa_token, { code: await totpCode(account.secret, offset) });
      expect(response.status, `offset ${offset}`).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_code" });
    }
    for (const offset of [-1, 1]) {
      const { mfa_token } = await logInToMfa(account.email);
      const response = await completeMfa(mfa_token, { code: await totpCode(account.secret, offset) });
      expect(response.status, `offset ${offset}`).toBe(200);
    }
  });

  it("refuses a code of a step at or before the last accepted one (replay)", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const code = await totpCode(account.secret);
    const first = await logInToMfa(account.email);
    expect((await completeMfa(first.mfa_token, { code })).status).toBe(200);
    const sessionsAfterFirst = await sessionRowCount(account.userId);

    const second = await logInToMfa(account.email);
    const replay = await completeMfa(second.mfa_token, { code });
    expect(replay.status).toBe(400);
    expect(await readJson(replay)).toMatchObject({ code: "invalid_mfa_code" });
    const earlier = await completeMfa(second.mfa_token, { code: await totpCode(account.secret, -1) });
    expect(earlier.status).toBe(400);
    expect(await sessionRowCount(account.userId)).toBe(sessionsAfterFirst);
    expect((await totpRow(account.userId))?.failed_attempts).toBe(2);
  });

  it("accepts one valid code sent in parallel to two challenges exactly once", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const [first, second] = await Promise.all([logInToMfa(account.email), logInToMfa(account.email)]);
    const sessionsBefore = await sessionRowCount(account.userId);
    const code = await totpCode(account.secret);
    const responses = await Promise.all([
      completeMfa(first.mfa_token, { code }),
      completeMfa(second.mfa_token, { code }),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400]);
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore + 1);
  });

  it("counts a wrong code on the factor and on the challenge", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    const response = await completeMfa(mfa_token, { code: await wrongTotpCode(account.secret) });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_code", status: 400 });
    expect((await totpRow(account.userId))?.failed_attempts).toBe(1);
    expect(await challengeRowsOf(account.userId)).toEqual([{ attempts: 1, consumed_at: null }]);
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("resets the failure count after an accepted code", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    await completeMfa(mfa_token, { code: await wrongTotpCode(account.secret) });
    expect((await completeMfa(mfa_token, { code: await totpCode(account.secret) })).status).toBe(200);
    expect((await totpRow(account.userId))?.failed_attempts).toBe(0);
  });
});

describe("other ways in still ask for the second factor", () => {
  it("keeps TOTP through a password reset of a verified account, and the next login asks for the code", async () => {
    const account = await signUpWithTotp();
    // A verified address: the owner set the factor (an unverified account's reset discards it).
    await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(account.userId).run();
    expect((await callAndSettle("POST", "/v1/password/forgot", { json: { email: account.email } })).status).toBe(202);
    const { token } = await latestCode(account.email, "reset_password");
    const newPassword = "another long and unusual passphrase";
    const reset = await callAndSettle("POST", "/v1/password/reset", { json: { token, new_password: newPassword } });
    expect(reset.status).toBe(204);
    expect((await totpRow(account.userId))?.confirmed_at).not.toBeNull();

    const sessionsBefore = await sessionRowCount(account.userId);
    const { mfa_token, methods } = await logInToMfa(account.email, newPassword);
    expect(methods).toEqual(["totp", "recovery_code"]);
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore);
    expect((await completeMfa(mfa_token, { code: await totpCode(account.secret) })).status).toBe(200);
  });

  it("answers the MFA challenge, not a session, when an account with TOTP verifies its email", async () => {
    const account = await signUpWithTotp();
    expect((await callAndSettle("POST", "/v1/email/verify/resend", { json: { email: account.email } })).status).toBe(
      202,
    );
    const { token } = await latestCode(account.email, "verify_email");
    const sessionsBefore = await sessionRowCount(account.userId);
    const response = await call("POST", "/v1/email/verify", { json: { token } });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toMatchObject({ mfa_required: true, methods: ["totp", "recovery_code"] });
    expect(body).not.toHaveProperty("access_token");
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore);
    const finished = await completeMfa(String(body.mfa_token), { code: await totpCode(account.secret) });
    expect(claimsOf((await tokensOf(finished)).access_token).amr).toEqual(["otp", "mfa"]);
  });

  it("logs in without a challenge once TOTP is removed", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const removed = await call("DELETE", "/v1/mfa/totp", {
      token: account.tokens.access_token,
      json: { password: PASSWORD, code: await totpCode(account.secret) },
    });
    expect(removed.status).toBe(204);
    const response = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(response.status).toBe(200);
    const tokens = await tokensOf(response);
    expect(claimsOf(tokens.access_token).amr).toEqual(["pwd"]);
  });

  it("logs in without a challenge while enrolment is unconfirmed", async () => {
    const account = await signUp();
    expect((await call("POST", "/v1/mfa/totp", { token: account.tokens.access_token })).status).toBe(200);
    const response = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(await readJson(response)).toHaveProperty("access_token");
  });
});
