// Changes by the signed-in user: the password (current one required; other sessions end) and the
// email address (password required; a code to the new address, a notice to the old one, and the
// switch only once that code comes back).
import { describe, expect, it } from "vitest";
import { liveSessionCount, logIn, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { callAndSettle, readJson } from "./support/http";
import { codeRow, codeRowsOf, latestCode, mailTo, userState, wrongCode } from "./support/mail";

const NEW_PASSWORD = "a brand new passphrase";

async function expectLogin(email: string, password: string, status: number): Promise<void> {
  const response = await callAndSettle("POST", "/v1/login", { json: { email, password } });
  expect(response.status).toBe(status);
}

describe("POST /v1/password/change", () => {
  it("changes the password, ends the other sessions, keeps the current one and mails a notice", async () => {
    const account = await signUp();
    const other = await logIn(account.email);
    const response = await callAndSettle("POST", "/v1/password/change", {
      token: account.tokens.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(204);

    expect(await liveSessionCount(account.userId)).toBe(1);
    const otherMe = await callAndSettle("GET", "/v1/me", { token: other.access_token });
    expect(otherMe.status).toBe(401);
    const otherRefresh = await callAndSettle("POST", "/v1/token/refresh", {
      json: { refresh_token: other.refresh_token },
    });
    expect(otherRefresh.status).toBe(401);
    expect(await readJson(otherRefresh)).toMatchObject({ code: "invalid_refresh_token" });

    const me = await callAndSettle("GET", "/v1/me", { token: account.tokens.access_token });
    expect(me.status).toBe(200);
    const refresh = await callAndSettle("POST", "/v1/token/refresh", {
      json: { refresh_token: account.tokens.refresh_token },
    });
    expect(refresh.status).toBe(200);

    expect(await mailTo(account.email, "password_changed")).toHaveLength(1);
    await expectLogin(account.email, PASSWORD, 401);
    await expectLogin(account.email, NEW_PASSWORD, 200);
  });

  it("refuses a wrong current password with 401 invalid_credentials and changes nothing", async () => {
    const account = await signUp();
    const other = await logIn(account.email);
    const before = await userState(account.userId);
    const response = await callAndSettle("POST", "/v1/password/change", {
      token: account.tokens.access_token,
      json: { current_password: `${PASSWORD}!`, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
    expect(await userState(account.userId)).toEqual(before);
    expect(await liveSessionCount(account.userId)).toBe(2);
    expect((await callAndSettle("GET", "/v1/me", { token: other.access_token })).status).toBe(200);
    expect(await mailTo(account.email, "password_changed")).toEqual([]);
  });

  it("refuses a weak new password with 400 weak_password naming new_password", async () => {
    const account = await signUp();
    const before = await userState(account.userId);
    for (const newPassword of ["short", "password123"]) {
      const response = await callAndSettle("POST", "/v1/password/change", {
        token: account.tokens.access_token,
        json: { current_password: PASSWORD, new_password: newPassword },
      });
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "weak_password", errors: [{ field: "new_password" }] });
    }
    expect(await userState(account.userId)).toEqual(before);
    await expectLogin(account.email, PASSWORD, 200);
  });

  it("requires a bearer token", async () => {
    const response = await callAndSettle("POST", "/v1/password/change", {
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });
});

/** Asks to move `account` to a fresh address; returns the request id and the code mailed there. */
async function requestChange(account: Awaited<ReturnType<typeof signUp>>, newEmail = uniqueEmail("new")) {
  const response = await callAndSettle("POST", "/v1/email/change", {
    token: account.tokens.access_token,
    json: { new_email: newEmail, password: PASSWORD },
  });
  expect(response.status).toBe(202);
  const body = await readJson<{ otp_request_id: string }>(response);
  expect(Object.keys(body)).toEqual(["otp_request_id"]);
  return { newEmail, requestId: body.otp_request_id, received: await latestCode(newEmail, "email_change_code") };
}

describe("POST /v1/email/change", () => {
  it("mails a code to the new address and a notice to the old one, and switches nothing yet", async () => {
    const account = await signUp();
    const { newEmail, requestId, received } = await requestChange(account);
    expect(received.code).toMatch(/^\d{6}$/);
    expect(received.link).toMatch(/^https:\/\/auth\.test\/verify-email\?token=/);
    expect((await mailTo(newEmail)).map((mail) => mail.kind)).toEqual(["email_change_code"]);
    const oldMails = await mailTo(account.email);
    expect(oldMails.map((mail) => mail.kind)).toEqual(["email_change_notice"]);
    expect(oldMails[0]?.code).toBeUndefined();
    expect(oldMails[0]?.text).toContain(newEmail);

    expect(await codeRow(requestId)).toMatchObject({
      user_id: account.userId,
      purpose: "change_email",
      target: newEmail,
      consumed_at: null,
    });
    expect((await userState(account.userId))?.email).toBe(account.email);
    await expectLogin(account.email, PASSWORD, 200);
    await expectLogin(newEmail, PASSWORD, 401);
  });

  it("switches the address once the code is confirmed: the old address no longer logs in, the new one does", async () => {
    const account = await signUp();
    const { newEmail, requestId, received } = await requestChange(account);
    const wrong = await callAndSettle("POST", "/v1/email/verify", {
      json: { otp_request_id: requestId, code: wrongCode(received.code) },
    });
    expect(wrong.status).toBe(400);
    expect(await readJson(wrong)).toMatchObject({ code: "invalid_code" });
    expect((await userState(account.userId))?.email).toBe(account.email);

    const response = await callAndSettle("POST", "/v1/email/verify", {
      json: { otp_request_id: requestId, code: received.code },
    });
    expect(response.status).toBe(200);
    const body = await readJson<{ user: Record<string, unknown> }>(response);
    expect(Object.keys(body)).toEqual(["user"]);
    expect(body.user).toMatchObject({ id: account.userId, email: newEmail, email_verified: true });
    expect(await userState(account.userId)).toMatchObject({ email: newEmail, email_verified: 1 });
    expect((await codeRow(requestId))?.consumed_at).not.toBeNull();

    await expectLogin(account.email, PASSWORD, 401);
    await expectLogin(newEmail, PASSWORD, 200);
    const me = await callAndSettle("GET", "/v1/me", { token: account.tokens.access_token });
    expect(await readJson(me)).toMatchObject({ email: newEmail });

    const twice = await callAndSettle("POST", "/v1/email/verify", {
      json: { otp_request_id: requestId, code: received.code },
    });
    expect(twice.status).toBe(400);
    expect(await readJson(twice)).toMatchObject({ code: "invalid_code" });
    expect((await userState(account.userId))?.email).toBe(newEmail);
  });

  it("switches by the link in the mail too, once", async () => {
    const account = await signUp();
    const { newEmail, received } = await requestChange(account);
    const response = await callAndSettle("POST", "/v1/email/verify", { json: { token: received.token } });
    expect(response.status).toBe(200);
    expect((await userState(account.userId))?.email).toBe(newEmail);
    const twice = await callAndSettle("POST", "/v1/email/verify", { json: { token: received.token } });
    expect(twice.status).toBe(400);
    expect(await readJson(twice)).toMatchObject({ code: "code_expired" });
  });

  it("refuses a wrong password with 401 invalid_credentials, issuing no code and sending no mail", async () => {
    const account = await signUp();
    const newEmail = uniqueEmail("new");
    const response = await callAndSettle("POST", "/v1/email/change", {
      token: account.tokens.access_token,
      json: { new_email: newEmail, password: `${PASSWORD}!` },
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
    expect(await codeRowsOf(account.userId, "change_email")).toEqual([]);
    expect(await mailTo(newEmail)).toEqual([]);
    expect(await mailTo(account.email)).toEqual([]);
  });

  it("refuses the current address and an invalid address with invalid_request naming new_email", async () => {
    const account = await signUp();
    for (const newEmail of [account.email.toUpperCase(), "not-an-email"]) {
      const response = await callAndSettle("POST", "/v1/email/change", {
        token: account.tokens.access_token,
        json: { new_email: newEmail, password: PASSWORD },
      });
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "new_email" }] });
    }
    expect(await codeRowsOf(account.userId, "change_email")).toEqual([]);
  });

  it("keeps the old address when the new one was registered before the code came back (409 email_taken)", async () => {
    const account = await signUp();
    const { newEmail, requestId, received } = await requestChange(account);
    const squatter = await signUp({ email: newEmail });
    const response = await callAndSettle("POST", "/v1/email/verify", {
      json: { otp_request_id: requestId, code: received.code },
    });
    expect(response.status).toBe(409);
    expect(await readJson(response)).toMatchObject({ code: "email_taken" });
    expect((await userState(account.userId))?.email).toBe(account.email);
    expect((await userState(squatter.userId))?.email).toBe(newEmail);
  });

  it("refuses a change code at /v1/password/reset as a wrong code and leaves it usable", async () => {
    const account = await signUp();
    const { newEmail, requestId, received } = await requestChange(account);
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code: received.code, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_code" });
    expect(await liveSessionCount(account.userId)).toBe(1);
    await expectLogin(account.email, PASSWORD, 200);
    const confirm = await callAndSettle("POST", "/v1/email/verify", {
      json: { otp_request_id: requestId, code: received.code },
    });
    expect(confirm.status).toBe(200);
    expect((await userState(account.userId))?.email).toBe(newEmail);
  });

  it("replaces an earlier change request: the first code is dead", async () => {
    const account = await signUp();
    const first = await requestChange(account);
    const second = await requestChange(account);
    const old = await callAndSettle("POST", "/v1/email/verify", {
      json: { otp_request_id: first.requestId, code: first.received.code },
    });
    expect(old.status).toBe(400);
    expect(await readJson(old)).toMatchObject({ code: "invalid_code" });
    expect((await userState(account.userId))?.email).toBe(account.email);
    const current = await callAndSettle("POST", "/v1/email/verify", { json: { token: second.received.token } });
    expect(current.status).toBe(200);
    expect((await userState(account.userId))?.email).toBe(second.newEmail);
  });
});
