// Guessing one-time codes by asking for code after code: each new code has 5 fresh attempts, but the
// account's budget for that purpose does not renew with it (10 guesses an hour for mail and phone
// codes; 5 per 15 minutes for SMS sign-in, which locks like TOTP). Decided in D1, in the guess's batch.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, sessionRowCount, signUp, type TestAccount } from "./support/accounts";
import { call, callAndSettle, readJson } from "./support/http";
import { codeRow, latestCode, userState, wrongCode } from "./support/mail";
import { latestSmsCode, uniquePhone, verifyPhone } from "./support/sms";
import { awaitFreshMinute } from "./support/throttle";
import { logInToMfa } from "./support/totp";

const NEW_PASSWORD = "a brand new passphrase";

async function askForResetCode(email: string): Promise<{ requestId: string; code: string }> {
  const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email } });
  expect(forgot.status).toBe(202);
  const { otp_request_id } = await readJson<{ otp_request_id: string }>(forgot);
  return { requestId: otp_request_id, code: (await latestCode(email, "reset_password")).code };
}

function tryReset(requestId: string, code: string): Promise<Response> {
  return call("POST", "/v1/password/reset", { json: { otp_request_id: requestId, code, new_password: NEW_PASSWORD } });
}

async function budgetOf(userId: string, purpose: string) {
  return env.DB.prepare("select failures, window_started_at from code_failures where user_id = ? and purpose = ?")
    .bind(userId, purpose)
    .first<{ failures: number; window_started_at: number }>();
}

describe("the per-account budget for reset codes", { timeout: 60_000 }, () => {
  it("refuses even the right code once 10 guesses were spent over two codes, and resets nothing", async () => {
    await awaitFreshMinute(20_000);
    const account = await signUp();
    const before = await userState(account.userId);
    for (const _ of [1, 2]) {
      const issued = await askForResetCode(account.email);
      for (let i = 0; i < 5; i += 1) {
        const wrong = await tryReset(issued.requestId, wrongCode(issued.code));
        expect(wrong.status).toBe(400);
        expect(await readJson(wrong)).toMatchObject({ code: "invalid_code" });
      }
    }
    const third = await askForResetCode(account.email);
    const refused = await tryReset(third.requestId, third.code);
    expect(refused.status).toBe(429);
    expect(await readJson(refused)).toMatchObject({ code: "rate_limited", status: 429 });
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    // Nothing happened: the password is the old one, the third code is unspent and unconsumed.
    expect(await userState(account.userId)).toEqual(before);
    expect(await codeRow(third.requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect((await budgetOf(account.userId, "reset_password"))?.failures).toBe(11);

    // When the hour has passed the right code works, and the budget is forgotten.
    await env.DB.prepare(
      "update code_failures set window_started_at = window_started_at - 3600 where user_id = ? and purpose = ?",
    )
      .bind(account.userId, "reset_password")
      .run();
    const accepted = await tryReset(third.requestId, third.code);
    expect(accepted.status).toBe(204);
    expect(await budgetOf(account.userId, "reset_password")).toBeNull();
  });

  it("admits exactly the budget's guesses when they arrive in parallel", async () => {
    const account = await signUp();
    const issued = await askForResetCode(account.email);
    await env.DB.prepare(
      "insert into code_failures (user_id, purpose, failures, window_started_at) values (?, 'reset_password', 7, ?)",
    )
      .bind(account.userId, Math.floor(Date.now() / 1000))
      .run();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => tryReset(issued.requestId, wrongCode(issued.code))),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    expect((await codeRow(issued.requestId))?.attempts).toBe(3);
  });

  it("keeps budgets apart per purpose and per account", async () => {
    const account = await signUp();
    const other = await signUp();
    await env.DB.prepare(
      "insert into code_failures (user_id, purpose, failures, window_started_at) values (?, 'verify_email', 10, ?)",
    )
      .bind(account.userId, Math.floor(Date.now() / 1000))
      .run();
    const own = await askForResetCode(account.email);
    expect((await tryReset(own.requestId, own.code)).status).toBe(204);
    const theirs = await askForResetCode(other.email);
    expect((await tryReset(theirs.requestId, theirs.code)).status).toBe(204);
  });
});

describe("SMS sign-in", () => {
  async function signUpWithSmsMfa(): Promise<TestAccount & { phone: string }> {
    const account = await signUp();
    const phone = uniquePhone();
    await verifyPhone(account.tokens.access_token, phone);
    const on = await call("POST", "/v1/mfa/sms", { token: account.tokens.access_token, json: { password: PASSWORD } });
    expect(on.status).toBe(204);
    return { ...account, phone };
  }

  it("locks like TOTP: after 5 wrong codes over any challenges, the right code answers 429 mfa_locked", async () => {
    const account = await signUpWithSmsMfa();
    const first = await logInToMfa(account.email);
    expect((await call("POST", "/v1/login/mfa/sms/send", { json: { mfa_token: first.mfa_token } })).status).toBe(202);
    const code = await latestSmsCode(account.phone, "mfa_sms");
    for (let i = 0; i < 5; i += 1) {
      const wrong = await call("POST", "/v1/login/mfa/sms", {
        json: { mfa_token: first.mfa_token, code: wrongCode(code) },
      });
      expect(wrong.status).toBe(400);
      expect(await readJson(wrong)).toMatchObject({ code: "invalid_mfa_code" });
    }
    // A new login and a new code do not renew the guesses.
    const second = await logInToMfa(account.email);
    expect((await call("POST", "/v1/login/mfa/sms/send", { json: { mfa_token: second.mfa_token } })).status).toBe(202);
    const fresh = await latestSmsCode(account.phone, "mfa_sms");
    const locked = await call("POST", "/v1/login/mfa/sms", { json: { mfa_token: second.mfa_token, code: fresh } });
    expect(locked.status).toBe(429);
    expect(await readJson(locked)).toMatchObject({ code: "mfa_locked" });
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(800);
    expect(await sessionRowCount(account.userId)).toBe(1);
  });
});
