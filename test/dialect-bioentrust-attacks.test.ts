// Attacks on BioEntrust's paths: crafted and dead tokens on its bearer routes, replayed and guessed
// codes (counted toward the core's budget), codes of another purpose, and a second factor that a
// mailed code or a password alone must not get past. No session opens on any of these.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liveSessionCount, PASSWORD, sessionRowCount } from "./support/accounts";
import {
  bioAccount,
  bioSignIn,
  bioSignUp,
  bioVerifyEmail,
  RATE_LIMITED,
  strictBioEnv,
  UNAUTHORIZED,
  userRow,
} from "./support/dialect-bioentrust";
import { expectDialectError } from "./support/dialects";
import { call, callAndSettle, callWith, readJson } from "./support/http";
import { latestCode, wrongCode } from "./support/mail";
import { CURRENT_KEY, nowSeconds, signWith, unsignedToken, useForgeryTarget } from "./support/token-forgery";
import { signUpWithTotp, startEnrolment, totpCode } from "./support/totp";

const target = useForgeryTarget();
const SECOND_FACTOR = { error: "This account signs in with a second factor; use the main sign-in" };

describe("crafted access tokens on GET /user/protected and POST /user/verify-sms", () => {
  it("accepts the target's own claims signed with our key (the baseline), and nothing crafted", async () => {
    const genuine = await signWith(CURRENT_KEY, target.claims());
    expect((await call("GET", "/user/protected", { token: genuine })).status).toBe(200);
    const crafted = [
      unsignedToken({ alg: "none", typ: "at+jwt" }, target.claims()),
      `${genuine.slice(0, -4)}AAAA`,
      await signWith(CURRENT_KEY, target.claims({ exp: nowSeconds() - 60, iat: nowSeconds() - 1000 })),
      await signWith(CURRENT_KEY, target.claims({ aud: "someone-else" })),
      await signWith(CURRENT_KEY, target.claims({ sid: crypto.randomUUID() })),
      await signWith(CURRENT_KEY, target.claims(), { typ: "JWT" }),
      "x".repeat(5000),
    ];
    for (const token of crafted) {
      await expectDialectError(await call("GET", "/user/protected", { token }), 401, UNAUTHORIZED);
      const json = { app_id: 1, otp: "123456", otp_request_id: crypto.randomUUID() };
      await expectDialectError(await call("POST", "/user/verify-sms", { json, token }), 401, UNAUTHORIZED);
    }
  });

  it("a made-up refresh token neither refreshes nor signs out", async () => {
    for (const token of ["unknown-refresh-token", "x".repeat(600)]) {
      await expectDialectError(await call("GET", "/user/refresh", { token }), 401, UNAUTHORIZED);
      await expectDialectError(await call("DELETE", "/user/signout", { token }), 401, UNAUTHORIZED);
    }
  });
});

describe("codes: single use, counted, and of their own purpose only", () => {
  it("a verify-email code works once: the replay is the document's 401 and opens no session", async () => {
    const pending = await bioSignUp();
    expect((await bioVerifyEmail(pending)).status).toBe(200);
    await expectDialectError(await bioVerifyEmail(pending, "/user/verify_email"), 401, { error: "Signup Failed" });
    expect(await sessionRowCount(pending.userId)).toBe(1);
  });

  it("wrong codes spend the account's guess budget: the 11th is a 429 with Retry-After, the right code too", async () => {
    const first = await bioSignUp({}, strictBioEnv);
    for (let guess = 0; guess < 5; guess++) {
      const json = { otp: wrongCode(first.code), otp_request_id: first.requestId };
      await expectDialectError(await callWith(strictBioEnv, "POST", "/user/verify-email", { json }), 401, {
        error: "Signup Failed",
      });
    }
    // Five wrong guesses end a code; a new sign-up's code shares the same account budget.
    await expectDialectError(
      await callWith(strictBioEnv, "POST", "/user/verify-email", {
        json: { otp: first.code, otp_request_id: first.requestId },
      }),
      401,
      { error: "Signup Failed" },
    );
    const second = await bioSignUp({ email: first.email }, strictBioEnv);
    for (let guess = 0; guess < 5; guess++) {
      await callWith(strictBioEnv, "POST", "/user/verify-email", {
        json: { otp: wrongCode(second.code), otp_request_id: second.requestId },
      });
    }
    const third = await bioSignUp({ email: first.email }, strictBioEnv);
    const over = await callWith(strictBioEnv, "POST", "/user/verify-email", {
      json: { otp: wrongCode(third.code), otp_request_id: third.requestId },
    });
    expect(Number(over.headers.get("Retry-After"))).toBeGreaterThan(60);
    await expectDialectError(over, 429, RATE_LIMITED);
    await expectDialectError(
      await callWith(strictBioEnv, "POST", "/user/verify-email", {
        json: { otp: third.code, otp_request_id: third.requestId },
      }),
      429,
      RATE_LIMITED,
    );
    expect(await userRow(third.userId)).toMatchObject({ email_verified: 0 });
    expect(await sessionRowCount(third.userId)).toBe(0);
  });

  it("an email-change code does not verify through verify-email, and switches nothing", async () => {
    const account = await bioAccount();
    const newEmail = `changed-${account.email}`;
    const change = await callAndSettle("POST", "/v1/email/change", {
      token: account.access,
      json: { new_email: newEmail, password: PASSWORD },
    });
    expect(change.status).toBe(202);
    const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(change);
    const { code } = await latestCode(newEmail, "email_change_code");
    await expectDialectError(await bioVerifyEmail({ requestId, code }), 401, { error: "Signup Failed" });
    expect(await userRow(account.userId)).toMatchObject({ email: account.email });
  });
});

describe("a second factor is never skipped", () => {
  it("sign-in with the right password opens no session for an account with TOTP", async () => {
    const account = await bioAccount();
    const { secret } = await startEnrolment(account.access);
    const confirm = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.access,
      json: { code: await totpCode(secret), password: PASSWORD },
    });
    expect(confirm.status).toBe(200);
    const before = await liveSessionCount(account.userId);
    await expectDialectError(await bioSignIn(account.email), 401, SECOND_FACTOR);
    expect(await liveSessionCount(account.userId)).toBe(before);
  });

  it("a mailed verification code verifies the address of an account with TOTP, but signs it in nowhere", async () => {
    const account = await signUpWithTotp();
    const resend = await callAndSettle("POST", "/v1/email/verify/resend", { json: { email: account.email } });
    const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(resend);
    const { code } = await latestCode(account.email, "verify_email");
    const before = await sessionRowCount(account.userId);
    await expectDialectError(await bioVerifyEmail({ requestId, code }), 401, SECOND_FACTOR);
    expect(await userRow(account.userId)).toMatchObject({ email_verified: 1 });
    expect(await sessionRowCount(account.userId)).toBe(before);
    const challenges = await env.DB.prepare("select count(*) n from mfa_challenges where user_id = ?")
      .bind(account.userId)
      .first<{ n: number }>();
    expect(challenges?.n).toBe(0);
  });
});
