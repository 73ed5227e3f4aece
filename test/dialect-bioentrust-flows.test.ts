// BioEntrust's password reset (a mailed link whose single-use token comes back as Bearer), its SMS
// verification (the code /v1/phone texted), and parity with /v1: its accounts, tokens and sign-outs
// are the core's.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, introspect, logIn, me, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { type BioLoggedIn, bioAccount, bioSignIn, sessionRow, UNAUTHORIZED } from "./support/dialect-bioentrust";
import { expectDialectError } from "./support/dialects";
import { call, callAndSettle, readJson } from "./support/http";
import { latestCode, mailTo, wrongCode } from "./support/mail";
import { phoneState, requestPhoneCode, uniquePhone } from "./support/sms";

const NEW_PASSWORD = "another long and unusual passphrase";

async function forgot(email: string): Promise<Response> {
  return callAndSettle("POST", "/user/forgot-password", { json: { email, password: "1234567890" } });
}

describe("BioEntrust: forgot-password and reset-password", () => {
  it("answers the document's message for its example body, known address or not; a link only to the known", async () => {
    const { email } = await bioAccount();
    const unknown = uniqueEmail("nobody");
    for (const address of [email, unknown]) {
      const response = await forgot(address);
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({ message: "Password reset link sent" });
    }
    const { link } = await latestCode(email, "reset_password");
    expect(new URL(link).origin + new URL(link).pathname).toBe("https://auth.test/reset-password");
    expect(await mailTo(unknown)).toEqual([]);
  });

  it("the link's token as Bearer resets the password at all three paths, once, and ends every session", async () => {
    for (const path of ["/auth/reset-password", "/user/reset-password", "/user/reset-password/"]) {
      const account = await bioAccount();
      await forgot(account.email);
      const { token } = await latestCode(account.email, "reset_password");
      const json = { email: account.email, password: NEW_PASSWORD };
      const response = await call("POST", path, { json, token });
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({ message: "Password reset successfully" });
      expect(await sessionRow(claimsOf(account.access).sid)).toMatchObject({ revoked_at: expect.any(Number) });
      await expectDialectError(await call("GET", "/user/protected", { token: account.access }), 401, UNAUTHORIZED);
      expect((await bioSignIn(account.email, NEW_PASSWORD)).status).toBe(200);
      await expectDialectError(await bioSignIn(account.email), 401, { error: "Invalid login credentials" });
      // Single use: the same token again is refused.
      const replay = await call("POST", path, { json: { password: `${NEW_PASSWORD} 2` }, token });
      await expectDialectError(replay, 400, { error: "Invalid token or password" });
    }
  });

  it("takes a form body; a weak password is refused without spending the token", async () => {
    const account = await bioAccount();
    await forgot(account.email);
    const { token } = await latestCode(account.email, "reset_password");
    const weak = await call("POST", "/auth/reset-password", { form: { password: "short" }, token });
    await expectDialectError(weak, 400, { error: "Invalid token or password" });
    const good = await call("POST", "/auth/reset-password", { form: { password: NEW_PASSWORD }, token });
    expect(good.status).toBe(200);
  });

  it("refuses a missing, unknown or access token with the document's 400", async () => {
    const account = await bioAccount();
    const json = { email: account.email, password: NEW_PASSWORD };
    for (const token of [undefined, "not-a-reset-token", account.access, account.refresh]) {
      const response = await call("POST", "/auth/reset-password", { json, ...(token ? { token } : {}) });
      await expectDialectError(response, 400, { error: "Invalid token or password" });
    }
    expect((await bioSignIn(account.email)).status).toBe(200);
  });
});

describe("BioEntrust: POST /user/verify-sms and /user/verify_sms", () => {
  it("confirms the number /v1/phone texted, with the access token as Bearer; app_id is ignored", async () => {
    for (const path of ["/user/verify-sms", "/user/verify_sms"]) {
      const account = await bioAccount();
      const phone = uniquePhone();
      const { requestId, code } = await requestPhoneCode(account.access, phone);
      const json = { app_id: 9876, otp: code, otp_request_id: requestId };
      const response = await call("POST", path, { json, token: account.access });
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({ message: "Phone number verified" });
      expect(await phoneState(account.userId)).toMatchObject({ phone, phone_verified: 1 });
    }
  });

  it("answers the document's 401 for a wrong or replayed code, and for another account's code", async () => {
    const account = await bioAccount();
    const { requestId, code } = await requestPhoneCode(account.access, uniquePhone());
    const send = (otp: string, token = account.access) =>
      call("POST", "/user/verify-sms", { form: { app_id: "09876", otp, otp_request_id: requestId }, token });
    await expectDialectError(await send(wrongCode(code)), 401, { error: "Verification failed" });
    const other = await bioAccount();
    await expectDialectError(await send(code, other.access), 401, { error: "Verification failed" });
    expect((await send(code)).status).toBe(200);
    await expectDialectError(await send(code), 401, { error: "Verification failed" });
  });

  it("the document's example as written is not JSON (a leading zero): 400, as the origin's parser answered", async () => {
    const { access } = await bioAccount();
    const body = '{\n    "app_id": 09876,\n    "otp": "123456",\n    "otp_request_id": "some_unique_id"\n}';
    const response = await call("POST", "/user/verify-sms", { body, contentType: "application/json", token: access });
    await expectDialectError(response, 400, { error: "The request body is not valid JSON" });
  });

  it("without an access token: the document's 401", async () => {
    const json = { app_id: 1, otp: "123456", otp_request_id: crypto.randomUUID() };
    await expectDialectError(await call("POST", "/user/verify-sms", { json }), 401, UNAUTHORIZED);
  });
});

describe("BioEntrust accounts are core accounts", () => {
  it("a BioEntrust account logs in through /v1/login; its tokens pass /v1/me and /v1/token/verify", async () => {
    const { email, access, userId } = await bioAccount();
    const pair = await logIn(email);
    expect(claimsOf(pair.access_token).sub).toBe(userId);
    expect(await introspect(access)).toMatchObject({ active: true, sub: userId, email });
    expect(await readJson(await me(access))).toMatchObject({ id: userId, email, first_name: "John", last_name: "Doe" });
  });

  it("a verified /v1 account signs in through BioEntrust; an unverified one does not", async () => {
    const account = await signUp();
    await expectDialectError(await bioSignIn(account.email), 401, {
      error: "Email address not verified; sign up again for a new code",
    });
    await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(account.userId).run();
    const response = await bioSignIn(account.email);
    expect(response.status).toBe(200);
    const { token } = await readJson<BioLoggedIn>(response);
    expect(claimsOf(token.access).sub).toBe(account.userId);
  });

  it("signing out through BioEntrust ends the session for /v1 too", async () => {
    const { access, refresh } = await bioAccount();
    expect((await call("DELETE", "/user/signout", { token: refresh })).status).toBe(200);
    expect(await introspect(access)).toEqual({ active: false });
    expect((await me(access)).status).toBe(401);
    const v1Refresh = await call("POST", "/v1/token/refresh", { json: { refresh_token: refresh } });
    expect(v1Refresh.status).toBe(401);
  });

  it("a /v1 session's refresh token signs out through BioEntrust", async () => {
    const account = await signUp({ password: PASSWORD });
    const response = await call("DELETE", "/user/signout", { token: account.tokens.refresh_token });
    expect(response.status).toBe(200);
    expect(await introspect(account.tokens.access_token)).toEqual({ active: false });
  });
});

describe("BioEntrust CORS for its SPA", () => {
  it("a preflight from an allowlisted origin accepts the Authorization and Content-Type it sends", async () => {
    const response = await call("OPTIONS", "/user/signout", {
      headers: {
        Origin: "https://app.test",
        "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://app.test");
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toMatch(/authorization/);
  });
});
