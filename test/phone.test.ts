// Phone numbers: set one, prove it with a texted code, and see it in /v1/me and in access tokens;
// invalid numbers and bodies are refused, and while SMS sign-in is on the number cannot change.
// Refused codes, a provider that is down and the texting limits are in test/phone-codes.test.ts.
import { describe, expect, it } from "vitest";
import { claimsOf, logIn, PASSWORD, signUp } from "./support/accounts";
import { call, expectProblem, readJson, UUID } from "./support/http";
import { codeRow, codeRowsOf } from "./support/mail";
import { phoneState, smsTo, submitPhoneCode, uniquePhone, verifyPhone } from "./support/sms";

async function me(token: string): Promise<Record<string, unknown>> {
  return readJson(await call("GET", "/v1/me", { token }));
}

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

    const verified = await submitPhoneCode(token, body.otp_request_id, sms?.code ?? "");
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
