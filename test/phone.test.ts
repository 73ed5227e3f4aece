// Phone numbers: set one, prove it with a texted code, and see it in /v1/me and in access tokens.
// Every refusal is proved: invalid numbers, wrong, replayed, expired, cross-account and cross-number
// codes, parallel guesses, a provider that is down, and the limits per number, account and IP.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { logIn, PASSWORD, signUp } from "./support/accounts";
import { call, readJson } from "./support/http";
import { awaitFreshMinute, callWith, codeRow, codeRowsOf, wrongCode } from "./support/mail";
import { claimsOf, phoneState, requestPhoneCode, smsTo, uniquePhone, verifyPhone } from "./support/sms";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function submitCode(token: string, requestId: string, code: string): Promise<Response> {
  return call("POST", "/v1/phone/verify", { token, json: { otp_request_id: requestId, code } });
}

async function expectProblem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  const body = await readJson(response);
  expect(body).toMatchObject({ status, code });
  return body;
}

async function me(token: string): Promise<Record<string, unknown>> {
  return readJson(await call("GET", "/v1/me", { token }));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /v1/phone then POST /v1/phone/verify", () => {
  it("stores the number unverified, texts a code, and once verified shows it in /v1/me and the next token", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const phone = uniquePhone();
    const typed = `${phone.slice(0, 2)} (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;
    const response = await call("POST", "/v1/phone", { token, json: { phone: typed } });
    expect(response.status).toBe(202);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await readJson<{ otp_request_id: string }>(response);
    expect(Object.keys(body)).toEqual(["otp_request_id"]);
    expect(body.otp_request_id).toMatch(UUID);

    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 0, sms_mfa_enabled: 0 });
    const [sms] = await smsTo(phone, "verify_phone");
    expect(sms?.code).toMatch(/^\d{6}$/);
    expect(sms?.text).toContain(`${sms?.code} is your edge-auth code`);
    const row = await codeRow(body.otp_request_id);
    expect(row).toMatchObject({ user_id: account.userId, purpose: "verify_phone", target: phone, attempts: 0 });
    expect(row?.code_hash).not.toContain(sms?.code);
    expect((row?.expires_at ?? 0) - (row?.created_at ?? 0)).toBe(600);
    expect(await me(token)).toMatchObject({ phone, phone_verified: false });
    expect(claimsOf((await logIn(account.email)).access_token)).not.toHaveProperty("phone_number");

    const verified = await submitCode(token, body.otp_request_id, sms?.code ?? "");
    expect(verified.status).toBe(200);
    expect(await readJson(verified)).toMatchObject({ id: account.userId, phone, phone_verified: true });
    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 1, sms_mfa_enabled: 0 });
    expect(await me(token)).toMatchObject({ phone, phone_verified: true });

    const next = (await logIn(account.email)).access_token;
    expect(claimsOf(next)).toMatchObject({ phone_number: phone, phone_number_verified: true });
    const introspection = await readJson(await call("POST", "/v1/token/verify", { json: { token: next } }));
    expect(introspection).toMatchObject({ active: true, phone_number: phone, phone_number_verified: true });
  });

  it.each([
    ["too short", "+1234567"],
    ["too long", "+1234567890123456"],
    ["a leading 0 after +", "+0123456789"],
    ["no +", "0044 20 7946 0000"],
    ["letters", "+1-800-FLOWERS"],
    ["empty", ""],
  ])("refuses a number that is %s with 400 naming phone, storing and texting nothing", async (_case, number) => {
    const account = await signUp();
    const response = await call("POST", "/v1/phone", { token: account.tokens.access_token, json: { phone: number } });
    const body = await expectProblem(response, 400, "invalid_request");
    expect(body.errors).toEqual([{ field: "phone", message: expect.stringContaining("E.164") }]);
    expect(await phoneState(account.userId)).toEqual({ phone: null, phone_verified: 0, sms_mfa_enabled: 0 });
    expect(await codeRowsOf(account.userId, "verify_phone")).toEqual([]);
  });

  it("refuses unknown fields, a missing bearer token and other methods", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const extra = await call("POST", "/v1/phone", { token, json: { phone: uniquePhone(), verified: true } });
    expect((await expectProblem(extra, 400, "invalid_request")).errors).toEqual([
      { field: "verified", message: "is not an accepted field" },
    ]);
    await expectProblem(await call("POST", "/v1/phone", { json: { phone: uniquePhone() } }), 401, "invalid_token");
    await expectProblem(await call("POST", "/v1/phone/verify", { json: {} }), 401, "invalid_token");
    const wrongMethod = await call("GET", "/v1/phone", { token });
    await expectProblem(wrongMethod, 405, "method_not_allowed");
    expect(wrongMethod.headers.get("Allow")).toBe("POST");
  });
});

describe("code refusals", () => {
  it("refuses a wrong code with 400 invalid_code, counts it, and still takes the right one", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const phone = uniquePhone();
    const { requestId, code } = await requestPhoneCode(token, phone);
    await expectProblem(await submitCode(token, requestId, wrongCode(code)), 400, "invalid_code");
    expect(await codeRow(requestId)).toMatchObject({ attempts: 1, consumed_at: null });
    expect((await phoneState(account.userId))?.phone_verified).toBe(0);
    expect((await submitCode(token, requestId, code)).status).toBe(200);
  });

  it("refuses a code used once already with 400 code_expired", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const { requestId, code } = await requestPhoneCode(token, uniquePhone());
    expect((await submitCode(token, requestId, code)).status).toBe(200);
    await expectProblem(await submitCode(token, requestId, code), 400, "code_expired");
  });

  it("refuses an expired code with 400 code_expired and leaves the number unverified", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const { requestId, code } = await requestPhoneCode(token, uniquePhone());
    const past = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("update one_time_codes set expires_at = ? where id = ?").bind(past, requestId).run();
    await expectProblem(await submitCode(token, requestId, code), 400, "code_expired");
    expect((await phoneState(account.userId))?.phone_verified).toBe(0);
  });

  it("refuses another account's code, even for the same number, without spending its attempts", async () => {
    const owner = await signUp();
    const other = await signUp();
    const phone = uniquePhone();
    const { requestId, code } = await requestPhoneCode(owner.tokens.access_token, phone);
    await call("PATCH", "/v1/me", { token: other.tokens.access_token, json: { phone } });
    await expectProblem(await submitCode(other.tokens.access_token, requestId, code), 400, "code_expired");
    expect(await phoneState(other.userId)).toMatchObject({ phone, phone_verified: 0 });
    expect(await codeRow(requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect((await submitCode(owner.tokens.access_token, requestId, code)).status).toBe(200);
  });

  it("refuses a code sent to a number the account has since replaced", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const first = await requestPhoneCode(token, uniquePhone());
    // PATCH /v1/me changes the number without issuing a code: the first code stays live in D1.
    const replacement = uniquePhone();
    expect((await call("PATCH", "/v1/me", { token, json: { phone: replacement } })).status).toBe(200);
    await expectProblem(await submitCode(token, first.requestId, first.code), 400, "code_expired");
    expect(await phoneState(account.userId)).toMatchObject({ phone: replacement, phone_verified: 0 });
    expect(await codeRow(first.requestId)).toMatchObject({ attempts: 0, consumed_at: null });

    // A new POST /v1/phone replaces the earlier code outright.
    const second = await requestPhoneCode(token, uniquePhone());
    const third = await requestPhoneCode(token, uniquePhone());
    await expectProblem(await submitCode(token, second.requestId, second.code), 400, "code_expired");
    expect((await submitCode(token, third.requestId, third.code)).status).toBe(200);
  });

  it("counts 20 parallel wrong guesses exactly up to the limit of 5, then refuses even the right code", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    const { requestId, code } = await requestPhoneCode(token, uniquePhone());
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => submitCode(token, requestId, wrongCode(code)).then((r) => readJson(r))),
    );
    const codes = answers.map((answer) => answer.code);
    expect(codes.filter((value) => value === "invalid_code")).toHaveLength(5);
    expect(codes.filter((value) => value === "code_expired")).toHaveLength(15);
    expect(await codeRow(requestId)).toMatchObject({ attempts: 5, consumed_at: null });
    await expectProblem(await submitCode(token, requestId, code), 400, "code_expired");
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
    expect((await submitCode(token, requestId, code)).status).toBe(200);
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

describe("the phone number while SMS sign-in is on", () => {
  async function accountWithSmsMfa() {
    const account = await signUp();
    const phone = uniquePhone();
    await verifyPhone(account.tokens.access_token, phone);
    const on = await call("POST", "/v1/mfa/sms", { token: account.tokens.access_token, json: { password: PASSWORD } });
    expect(on.status).toBe(204);
    return { account, phone };
  }

  it("refuses a new number by PATCH /v1/me with 409 sms_mfa_enabled, applying no field of the request", async () => {
    const { account, phone } = await accountWithSmsMfa();
    const response = await call("PATCH", "/v1/me", {
      token: account.tokens.access_token,
      json: { phone: uniquePhone(), name: "Not Applied" },
    });
    await expectProblem(response, 409, "sms_mfa_enabled");
    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 1, sms_mfa_enabled: 1 });
    expect(await me(account.tokens.access_token)).toMatchObject({ name: null });
  });

  it("refuses clearing the number by PATCH /v1/me, so a stolen access token cannot drop the second factor", async () => {
    const { account, phone } = await accountWithSmsMfa();
    const response = await call("PATCH", "/v1/me", { token: account.tokens.access_token, json: { phone: null } });
    await expectProblem(response, 409, "sms_mfa_enabled");
    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 1, sms_mfa_enabled: 1 });
  });

  it("refuses a new number by POST /v1/phone with 409 sms_mfa_enabled, texting nothing", async () => {
    const { account, phone } = await accountWithSmsMfa();
    const replacement = uniquePhone();
    const response = await call("POST", "/v1/phone", {
      token: account.tokens.access_token,
      json: { phone: replacement },
    });
    await expectProblem(response, 409, "sms_mfa_enabled");
    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 1, sms_mfa_enabled: 1 });
    expect(await smsTo(replacement)).toHaveLength(0);
  });

  it("lets the number change once SMS sign-in is off (with the password), resetting its verification", async () => {
    const { account } = await accountWithSmsMfa();
    const token = account.tokens.access_token;
    expect((await call("DELETE", "/v1/mfa/sms", { token, json: { password: PASSWORD } })).status).toBe(204);
    const replacement = uniquePhone();
    const response = await call("PATCH", "/v1/me", { token, json: { phone: replacement } });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ phone: replacement, phone_verified: false });
    expect(await phoneState(account.userId)).toEqual({ phone: replacement, phone_verified: 0, sms_mfa_enabled: 0 });
    expect(claimsOf((await logIn(account.email)).access_token)).not.toHaveProperty("phone_number_verified");
  });

  it("keeps them when the same number is sent again or other fields change", async () => {
    const { account, phone } = await accountWithSmsMfa();
    const token = account.tokens.access_token;
    expect((await call("PATCH", "/v1/me", { token, json: { phone, name: "Same Number" } })).status).toBe(200);
    expect((await call("PATCH", "/v1/me", { token, json: { address: "Elsewhere" } })).status).toBe(200);
    expect(await phoneState(account.userId)).toEqual({ phone, phone_verified: 1, sms_mfa_enabled: 1 });
  });
});
