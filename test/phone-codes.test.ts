// Texted phone codes refused: wrong, replayed, expired, cross-account and cross-number codes and
// parallel guesses; a provider that is down or none at all; and the limits per number, account and IP.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { signUp } from "./support/accounts";
import { call, callWith, expectProblem, readJson } from "./support/http";
import { codeRow, wrongCode } from "./support/mail";
import { phoneState, requestPhoneCode, smsTo, submitPhoneCode, uniquePhone } from "./support/sms";
import { awaitFreshMinute } from "./support/throttle";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("code refusals", () => {
  it("refuses a wrong code with 400 invalid_code, counts it, and still takes the right one", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const phone = uniquePhone();
    const { requestId, code } = await requestPhoneCode(token, phone);
    await expectProblem(await submitPhoneCode(token, requestId, wrongCode(code)), 400, "invalid_code");
    expect(await codeRow(requestId)).toMatchObject({ attempts: 1, consumed_at: null });
    expect((await phoneState(account.userId))?.phone_verified).toBe(0);
    expect((await submitPhoneCode(token, requestId, code)).status).toBe(200);
  });

  it("refuses a code used once already with 400 code_expired", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const { requestId, code } = await requestPhoneCode(token, uniquePhone());
    expect((await submitPhoneCode(token, requestId, code)).status).toBe(200);
    await expectProblem(await submitPhoneCode(token, requestId, code), 400, "code_expired");
  });

  it("refuses an expired code with 400 code_expired and leaves the number unverified", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const { requestId, code } = await requestPhoneCode(token, uniquePhone());
    const past = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("update one_time_codes set expires_at = ? where id = ?").bind(past, requestId).run();
    await expectProblem(await submitPhoneCode(token, requestId, code), 400, "code_expired");
    expect((await phoneState(account.userId))?.phone_verified).toBe(0);
  });

  it("refuses another account's code, even for the same number, without spending its attempts", async () => {
    const owner = await signUp();
    const other = await signUp();
    const phone = uniquePhone();
    const { requestId, code } = await requestPhoneCode(owner.tokens.access_token, phone);
    await call("PATCH", "/v1/me", { token: other.tokens.access_token, json: { phone } });
    await expectProblem(await submitPhoneCode(other.tokens.access_token, requestId, code), 400, "code_expired");
    expect(await phoneState(other.userId)).toMatchObject({ phone, phone_verified: 0 });
    expect(await codeRow(requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect((await submitPhoneCode(owner.tokens.access_token, requestId, code)).status).toBe(200);
  });

  it("refuses a code sent to a number the account has since replaced", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const first = await requestPhoneCode(token, uniquePhone());
    // PATCH /v1/me changes the number without issuing a code: the first code stays live in D1.
    const replacement = uniquePhone();
    expect((await call("PATCH", "/v1/me", { token, json: { phone: replacement } })).status).toBe(200);
    await expectProblem(await submitPhoneCode(token, first.requestId, first.code), 400, "code_expired");
    expect(await phoneState(account.userId)).toMatchObject({ phone: replacement, phone_verified: 0 });
    expect(await codeRow(first.requestId)).toMatchObject({ attempts: 0, consumed_at: null });

    // A new POST /v1/phone replaces the earlier code outright.
    const second = await requestPhoneCode(token, uniquePhone());
    const third = await requestPhoneCode(token, uniquePhone());
    await expectProblem(await submitPhoneCode(token, second.requestId, second.code), 400, "code_expired");
    expect((await submitPhoneCode(token, third.requestId, third.code)).status).toBe(200);
  });

  it("counts 20 parallel wrong guesses exactly up to the limit of 5, then refuses even the right code", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const { requestId, code } = await requestPhoneCode(token, uniquePhone());
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => submitPhoneCode(token, requestId, wrongCode(code)).then((r) => readJson(r))),
    );
    const codes = answers.map((answer) => answer.code);
    expect(codes.filter((value) => value === "invalid_code")).toHaveLength(5);
    expect(codes.filter((value) => value === "code_expired")).toHaveLength(15);
    expect(await codeRow(requestId)).toMatchObject({ attempts: 5, consumed_at: null });
    await expectProblem(await submitPhoneCode(token, requestId, code), 400, "code_expired");
    expect((await phoneState(account.userId))?.phone_verified).toBe(0);
  });
});

describe("when the SMS provider is down", () => {
  const twilioEnv: Bindings = {
    ...env,
    SMS_PROVIDER: "twilio",
    SMS_FROM: "+15005550006",
    TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
    TWILIO_AUTH_TOKEN: "test-auth-token",
  };

  it("answers 503 sms_unavailable, keeps the number unverified, and a later request resends", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const phone = uniquePhone();
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("down", { status: 503 }));
    const failed = await callWith(twilioEnv, "POST", "/v1/phone", { token, json: { phone } });
    await expectProblem(failed, 503, "sms_unavailable");
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 0, sms_mfa_enabled: 0 });

    fetchSpy.mockResolvedValue(Response.json({ sid: "SM1" }, { status: 201 }));
    const resent = await callWith(twilioEnv, "POST", "/v1/phone", { token, json: { phone } });
    expect(resent.status).toBe(202);
    const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(resent);
    const [, init] = fetchSpy.mock.calls[1] ?? [];
    const texted = new URLSearchParams(String(init?.body)).get("Body") ?? "";
    const code = /^(\d{6}) /.exec(texted)?.[1] ?? "";
    expect((await submitPhoneCode(token, requestId, code)).status).toBe(200);
  });

  it("answers 503 sms_unavailable and stores nothing when SMS_PROVIDER is none", async () => {
    const account = await signUp();
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const noSms: Bindings = { ...env, SMS_PROVIDER: "none" };
    const json = { phone: uniquePhone() };
    const response = await callWith(noSms, "POST", "/v1/phone", { token: account.tokens.access_token, json });
    await expectProblem(response, 503, "sms_unavailable");
    expect(fetchSpy).not.toHaveBeenCalled();
    expect((await phoneState(account.userId))?.phone).toBeNull();
  });
});

describe("rate limits", () => {
  it("limits texts per number: the 4th within a minute is 429 with Retry-After, whichever account asks", async () => {
    await awaitFreshMinute();
    const phone = uniquePhone();
    const accounts = await Promise.all([signUp(), signUp(), signUp(), signUp()]);
    const answers: number[] = [];
    for (const account of accounts) {
      answers.push((await call("POST", "/v1/phone", { token: account.tokens.access_token, json: { phone } })).status);
    }
    expect(answers).toEqual([202, 202, 202, 429]);
    const last = accounts[3]?.tokens.access_token ?? "";
    const limited = await call("POST", "/v1/phone", { token: last, json: { phone } });
    await expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await smsTo(phone)).toHaveLength(3);
    // The limit is the number's: the same account may still text another number.
    expect((await call("POST", "/v1/phone", { token: last, json: { phone: uniquePhone() } })).status).toBe(202);
  }, 30_000);

  it("limits texts per account: the 4th number within a minute is 429", async () => {
    await awaitFreshMinute();
    const account = await signUp();
    const token = account.tokens.access_token;
    const answers: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      answers.push((await call("POST", "/v1/phone", { token, json: { phone: uniquePhone() } })).status);
    }
    expect(answers).toEqual([202, 202, 202, 429]);
  }, 30_000);

  it("limits requests per IP before any token check: the 61st within a minute is 429", async () => {
    await awaitFreshMinute(25_000);
    const ip = "203.0.113.77";
    const statuses = new Set<number>();
    for (let index = 0; index < 60; index += 1) {
      statuses.add((await call("POST", "/v1/phone", { ip, json: { phone: uniquePhone() } })).status);
    }
    expect([...statuses]).toEqual([401]);
    await expectProblem(await call("POST", "/v1/phone", { ip, json: { phone: uniquePhone() } }), 429, "rate_limited");
  }, 60_000);
});
