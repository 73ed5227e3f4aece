// SMS as a second factor: turning it on (password + verified number) and off, and logins that must
// pass the texted code before any session exists. Every refusal is proved: wrong, reused, expired,
// cross-account and parallel codes, a factor turned off or a number changed meanwhile.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { claimsOf, PASSWORD, sessionRowCount, signUp, type TestAccount } from "./support/accounts";
import { call, callWith, expectProblem, readJson } from "./support/http";
import { codeRowsOf, wrongCode } from "./support/mail";
import { latestSmsCode, phoneState, smsTo, uniquePhone, verifyPhone } from "./support/sms";
import { challengeRowsOf, logInToMfa, signUpWithTotp } from "./support/totp";

interface SmsAccount extends TestAccount {
  phone: string;
}

async function signUpWithSmsMfa(): Promise<SmsAccount> {
  const account = await signUp();
  const phone = uniquePhone();
  await verifyPhone(account.tokens.access_token, phone);
  const response = await turnSmsMfa("POST", account.tokens.access_token);
  if (response.status !== 204) throw new Error(`POST /v1/mfa/sms: ${response.status} ${await response.text()}`);
  return { ...account, phone };
}

function turnSmsMfa(method: "POST" | "DELETE", token: string, password = PASSWORD): Promise<Response> {
  return call(method, "/v1/mfa/sms", { token, json: { password } });
}

function sendCode(mfaToken: string): Promise<Response> {
  return call("POST", "/v1/login/mfa/sms/send", { json: { mfa_token: mfaToken } });
}

function submitCode(mfaToken: string, code: string): Promise<Response> {
  return call("POST", "/v1/login/mfa/sms", { json: { mfa_token: mfaToken, code } });
}

/** Logs in to the MFA step and has a code texted; answers the token and the code. */
async function challengeWithCode(account: SmsAccount): Promise<{ mfaToken: string; code: string }> {
  const { mfa_token: mfaToken } = await logInToMfa(account.email);
  const sent = await sendCode(mfaToken);
  if (sent.status !== 202) throw new Error(`send failed: ${sent.status} ${await sent.text()}`);
  return { mfaToken, code: await latestSmsCode(account.phone, "mfa_sms") };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST and DELETE /v1/mfa/sms", () => {
  it("turns SMS sign-in on only with the password and a verified number, and off with the password", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    await expectProblem(await turnSmsMfa("POST", token), 403, "phone_not_verified");
    await call("POST", "/v1/phone", { token, json: { phone: uniquePhone() } });
    await expectProblem(await turnSmsMfa("POST", token), 403, "phone_not_verified");
    expect((await phoneState(account.userId))?.sms_mfa_enabled).toBe(0);

    await verifyPhone(token, uniquePhone());
    await expectProblem(await turnSmsMfa("POST", token, "not the password"), 401, "invalid_credentials");
    expect((await phoneState(account.userId))?.sms_mfa_enabled).toBe(0);
    expect((await turnSmsMfa("POST", token)).status).toBe(204);
    expect((await phoneState(account.userId))?.sms_mfa_enabled).toBe(1);

    await expectProblem(await turnSmsMfa("DELETE", token, "not the password"), 401, "invalid_credentials");
    expect((await phoneState(account.userId))?.sms_mfa_enabled).toBe(1);
    expect((await turnSmsMfa("DELETE", token)).status).toBe(204);
    expect((await phoneState(account.userId))?.sms_mfa_enabled).toBe(0);
  });

  it("refuses a missing bearer token with 401 and other methods with 405", async () => {
    await expectProblem(await call("POST", "/v1/mfa/sms", { json: { password: PASSWORD } }), 401, "invalid_token");
    const account = await signUp();
    const wrongMethod = await call("GET", "/v1/mfa/sms", { token: account.tokens.access_token });
    await expectProblem(wrongMethod, 405, "method_not_allowed");
    expect(wrongMethod.headers.get("Allow")).toBe("POST, DELETE");
  });
});

describe("login with SMS as the second factor", () => {
  it("answers the challenge with sms, opens no session until the texted code, then records sms in amr", async () => {
    const account = await signUpWithSmsMfa();
    const sessionsBefore = await sessionRowCount(account.userId);
    const challenge = await logInToMfa(account.email);
    expect(challenge).toEqual({ mfa_required: true, mfa_token: expect.any(String), methods: ["sms"], expires_in: 300 });
    expect(challenge).not.toHaveProperty("access_token");

    const sent = await sendCode(challenge.mfa_token);
    expect(sent.status).toBe(202);
    expect(await readJson(sent)).toEqual({ phone_hint: `+1${"•".repeat(8)}${account.phone.slice(-2)}` });
    const [sms] = await smsTo(account.phone, "mfa_sms");
    expect(sms?.text).toContain(`${sms?.code} is your edge-auth sign-in code`);
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore);

    await expectProblem(await submitCode(challenge.mfa_token, wrongCode(sms?.code ?? "")), 400, "invalid_mfa_code");
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore);

    const done = await submitCode(challenge.mfa_token, sms?.code ?? "");
    expect(done.status).toBe(200);
    const tokens = await readJson<{ access_token: string; refresh_token: string }>(done);
    expect(claimsOf(tokens.access_token)).toMatchObject({
      sub: account.userId,
      amr: ["pwd", "sms", "mfa"],
      phone_number: account.phone,
      phone_number_verified: true,
    });
    expect(await sessionRowCount(account.userId)).toBe(sessionsBefore + 1);
    expect((await call("GET", "/v1/me", { token: tokens.access_token })).status).toBe(200);
  });

  it("takes a code once: the finished challenge and a later login both refuse it", async () => {
    const account = await signUpWithSmsMfa();
    const first = await challengeWithCode(account);
    expect((await submitCode(first.mfaToken, first.code)).status).toBe(200);
    await expectProblem(await submitCode(first.mfaToken, first.code), 401, "invalid_mfa_token");

    const { mfa_token: second } = await logInToMfa(account.email);
    await expectProblem(await submitCode(second, first.code), 400, "invalid_mfa_code");
    expect(await codeRowsOf(account.userId, "mfa_sms")).toMatchObject([{ consumed_at: expect.any(Number) }]);
  });

  it("refuses a code replaced by a newer one, and an expired code", async () => {
    const account = await signUpWithSmsMfa();
    const { mfaToken, code: older } = await challengeWithCode(account);
    expect((await sendCode(mfaToken)).status).toBe(202);
    const newer = await latestSmsCode(account.phone, "mfa_sms");
    if (newer !== older) await expectProblem(await submitCode(mfaToken, older), 400, "invalid_mfa_code");
    const past = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("update one_time_codes set expires_at = ? where user_id = ? and purpose = 'mfa_sms'")
      .bind(past, account.userId)
      .run();
    await expectProblem(await submitCode(mfaToken, newer), 400, "invalid_mfa_code");
  });

  it("refuses another account's texted code", async () => {
    const [owner, other] = await Promise.all([signUpWithSmsMfa(), signUpWithSmsMfa()]);
    const mine = await challengeWithCode(owner);
    const theirs = await challengeWithCode(other);
    if (mine.code !== theirs.code) {
      await expectProblem(await submitCode(theirs.mfaToken, mine.code), 400, "invalid_mfa_code");
    }
    expect(await codeRowsOf(owner.userId, "mfa_sms")).toMatchObject([{ attempts: 0, consumed_at: null }]);
    expect((await submitCode(mine.mfaToken, mine.code)).status).toBe(200);
  });

  it("admits 5 of 20 parallel guesses on one challenge, then refuses even the right code", async () => {
    const account = await signUpWithSmsMfa();
    const { mfaToken, code } = await challengeWithCode(account);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => submitCode(mfaToken, wrongCode(code)).then((r) => r.status)),
    );
    expect(answers.filter((status) => status === 400)).toHaveLength(5);
    expect(answers.filter((status) => status === 401)).toHaveLength(15);
    expect(await challengeRowsOf(account.userId)).toEqual([{ attempts: 5, consumed_at: null }]);
    await expectProblem(await submitCode(mfaToken, code), 401, "invalid_mfa_token");
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("offers sms beside TOTP and recovery codes, and a texted code finishes that login", async () => {
    const account = await signUpWithTotp();
    const phone = uniquePhone();
    await verifyPhone(account.tokens.access_token, phone);
    expect((await turnSmsMfa("POST", account.tokens.access_token)).status).toBe(204);
    const challenge = await logInToMfa(account.email);
    expect(challenge.methods).toEqual(["totp", "recovery_code", "sms"]);
    expect((await sendCode(challenge.mfa_token)).status).toBe(202);
    const done = await submitCode(challenge.mfa_token, await latestSmsCode(phone, "mfa_sms"));
    expect(done.status).toBe(200);
    const { access_token } = await readJson<{ access_token: string }>(done);
    expect(claimsOf(access_token).amr).toEqual(["pwd", "sms", "mfa"]);
  });
});

describe("sending the code", () => {
  it("refuses an unknown or finished mfa_token with 401 and texts nothing", async () => {
    const account = await signUpWithSmsMfa();
    await expectProblem(await sendCode("x".repeat(43)), 401, "invalid_mfa_token");
    const { mfaToken, code } = await challengeWithCode(account);
    expect((await submitCode(mfaToken, code)).status).toBe(200);
    await expectProblem(await sendCode(mfaToken), 401, "invalid_mfa_token");
    expect(await smsTo(account.phone, "mfa_sms")).toHaveLength(1);
  });

  it("refuses to text a challenge once SMS sign-in is off, and logins then skip it", async () => {
    const account = await signUpWithSmsMfa();
    const token = account.tokens.access_token;
    const { mfa_token: pending } = await logInToMfa(account.email);
    expect((await call("DELETE", "/v1/mfa/sms", { token, json: { password: PASSWORD } })).status).toBe(204);
    const refused = await sendCode(pending);
    expect(refused.status).toBe(400);
    expect(await readJson(refused)).toMatchObject({ code: "invalid_request", errors: [{ field: "mfa_token" }] });
    expect(await smsTo(account.phone, "mfa_sms")).toEqual([]);
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(await readJson(login)).toHaveProperty("access_token");
  });

  it("answers 503 sms_unavailable when the provider is down, and the challenge stays usable", async () => {
    const account = await signUpWithSmsMfa();
    const { mfa_token: mfaToken } = await logInToMfa(account.email);
    const twilioEnv: Bindings = {
      ...env,
      SMS_PROVIDER: "twilio",
      SMS_FROM: "+15005550006",
      TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
      TWILIO_AUTH_TOKEN: "test-auth-token",
    };
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("down", { status: 500 }));
    const failed = await callWith(twilioEnv, "POST", "/v1/login/mfa/sms/send", { json: { mfa_token: mfaToken } });
    await expectProblem(failed, 503, "sms_unavailable");
    vi.restoreAllMocks();
    expect((await sendCode(mfaToken)).status).toBe(202);
    const code = await latestSmsCode(account.phone, "mfa_sms");
    expect((await submitCode(mfaToken, code)).status).toBe(200);
  });
});
