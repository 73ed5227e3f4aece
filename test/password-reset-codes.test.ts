// Which codes POST /v1/password/reset takes: not a verify_email code, not another account's, not one
// mailed to an address the account has left or to an account disabled since; a reset code is no
// address verification either, yet redeeming one proves an unverified address.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liveSessionCount, PASSWORD, uniqueEmail } from "./support/accounts";
import { callAndSettle, readJson } from "./support/http";
import { callRequired, codeRow, expectCodeAndLinkDead, latestCode, signUpPending, userState } from "./support/mail";
import { accountWithResetCode, expectLogin, NEW_PASSWORD } from "./support/password-reset";

describe("POST /v1/password/reset", () => {
  it("refuses a verify_email code and link, without counting or spending them", async () => {
    const pending = await signUpPending();
    const before = await userState(pending.userId);
    await expectCodeAndLinkDead(callRequired, "/v1/password/reset", pending, { new_password: NEW_PASSWORD });
    expect(await userState(pending.userId)).toEqual(before);
    expect(await codeRow(pending.requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    const verify = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: pending.requestId, code: pending.received.code },
    });
    expect(verify.status).toBe(200);
  });

  it("refuses a reset code and link at /v1/email/verify, and they still reset", async () => {
    const account = await accountWithResetCode();
    await expectCodeAndLinkDead(callAndSettle, "/v1/email/verify", account);
    expect(await liveSessionCount(account.userId)).toBe(2);
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { token: account.received.token, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
  });

  it("refuses another account's code for this request id, leaving both accounts as they were", async () => {
    const victim = await accountWithResetCode();
    const attacker = await accountWithResetCode();
    const victimBefore = await userState(victim.userId);
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: victim.requestId, code: attacker.received.code, new_password: NEW_PASSWORD },
    });
    // Codes are drawn at random: the two could agree, and then the check below must still hold.
    if (attacker.received.code !== victim.received.code) {
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "invalid_code" });
      expect(await userState(victim.userId)).toEqual(victimBefore);
      expect(await liveSessionCount(victim.userId)).toBe(2);
    }
    expect((await codeRow(attacker.requestId))?.consumed_at).toBeNull();
    // The attacker's own link resets only the attacker's account.
    const own = await callAndSettle("POST", "/v1/password/reset", {
      json: { token: attacker.received.token, new_password: NEW_PASSWORD },
    });
    expect(own.status).toBe(204);
    expect((await userState(victim.userId))?.password_hash).toBe(victimBefore?.password_hash);
    await expectLogin(victim.email, PASSWORD, 200);
  });

  it("refuses a reset code sent to an address the account has since moved away from", async () => {
    const account = await accountWithResetCode();
    const newEmail = uniqueEmail("moved");
    const change = await callAndSettle("POST", "/v1/email/change", {
      token: account.tokens.access_token,
      json: { new_email: newEmail, password: PASSWORD },
    });
    expect(change.status).toBe(202);
    const confirm = await callAndSettle("POST", "/v1/email/verify", {
      json: { token: (await latestCode(newEmail, "email_change_code")).token },
    });
    expect(confirm.status).toBe(200);
    const before = await userState(account.userId);

    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { token: account.received.token, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "code_expired" });
    expect(await userState(account.userId)).toEqual(before);
    expect(await liveSessionCount(account.userId)).toBe(2);
    await expectLogin(newEmail, PASSWORD, 200);
  });

  it("refuses a reset code of an account disabled since it was sent", async () => {
    const account = await accountWithResetCode();
    await env.DB.prepare("update users set disabled_at = 1 where id = ?").bind(account.userId).run();
    const before = await userState(account.userId);
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: account.requestId, code: account.received.code, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "code_expired" });
    expect(await userState(account.userId)).toEqual(before);
  });

  it("verifies the address of an unverified account, since the code reached it", async () => {
    const pending = await signUpPending();
    const forgotten = await callRequired("POST", "/v1/password/forgot", { json: { email: pending.email } });
    const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(forgotten);
    const received = await latestCode(pending.email, "reset_password");
    const response = await callRequired("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code: received.code, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(204);
    expect((await userState(pending.userId))?.email_verified).toBe(1);
    const login = await callRequired("POST", "/v1/login", { json: { email: pending.email, password: NEW_PASSWORD } });
    expect(login.status).toBe(200);
  });
});
