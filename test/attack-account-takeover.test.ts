// Account-takeover attacks through a pending email change: a thief with a phished password asks for
// a change to their own address, the owner recovers the account, and the thief then redeems the code
// with no session at all. Every event that takes the account back voids the change, and a change
// completes only while the session that asked for it is live.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { disableAccount } from "../src/services/account-status-service";
import { logIn, PASSWORD, signUp, type TestAccount, type TokenPair, uniqueEmail } from "./support/accounts";
import { callAndSettle, readJson } from "./support/http";
import { codeRow, latestCode, mailTo, type ReceivedCode, userState } from "./support/mail";

const NEW_PASSWORD = "the owner's brand new passphrase";

interface PendingChange {
  owner: TestAccount;
  thief: TokenPair;
  thiefEmail: string;
  requestId: string;
  received: ReceivedCode;
}

/** The owner's account, a thief's session opened with the phished password, and the thief's change request. */
async function thiefAsksForEmailChange(): Promise<PendingChange> {
  const owner = await signUp();
  const thief = await logIn(owner.email);
  const thiefEmail = uniqueEmail("thief");
  const change = await callAndSettle("POST", "/v1/email/change", {
    token: thief.access_token,
    json: { new_email: thiefEmail, password: PASSWORD },
  });
  expect(change.status).toBe(202);
  const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(change);
  return { owner, thief, thiefEmail, requestId, received: await latestCode(thiefEmail, "email_change_code") };
}

async function resetPasswordByMail(email: string): Promise<void> {
  const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email } });
  expect(forgot.status).toBe(202);
  const { otp_request_id } = await readJson<{ otp_request_id: string }>(forgot);
  const { code } = await latestCode(email, "reset_password");
  const reset = await callAndSettle("POST", "/v1/password/reset", {
    json: { otp_request_id, code, new_password: NEW_PASSWORD },
  });
  expect(reset.status).toBe(204);
}

/** Both the code and the link of the thief's change are dead: 400 code_expired, and the address stays. */
async function expectChangeRefused(pending: PendingChange): Promise<void> {
  const byCode = await callAndSettle("POST", "/v1/email/verify", {
    json: { otp_request_id: pending.requestId, code: pending.received.code },
  });
  expect(byCode.status).toBe(400);
  expect(await readJson(byCode)).toMatchObject({ code: "invalid_code", status: 400 });
  const byLink = await callAndSettle("POST", "/v1/email/verify", { json: { token: pending.received.token } });
  expect(byLink.status).toBe(400);
  expect(await readJson(byLink)).toMatchObject({ code: "code_expired" });
  expect((await userState(pending.owner.userId))?.email).toBe(pending.owner.email);
}

describe("a pending email change after the owner takes the account back", () => {
  it("is void after a password reset: the thief's code and link fail, and the owner keeps the account", async () => {
    const pending = await thiefAsksForEmailChange();
    await resetPasswordByMail(pending.owner.email);

    await expectChangeRefused(pending);
    expect((await codeRow(pending.requestId))?.superseded_at).not.toBeNull();
    // The thief's address reaches no account: a reset asked for there mails nothing.
    const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email: pending.thiefEmail } });
    expect(forgot.status).toBe(202);
    expect(await mailTo(pending.thiefEmail, "reset_password")).toHaveLength(0);
    // The owner's new password works; the thief's session and the phished password do not.
    const login = await callAndSettle("POST", "/v1/login", {
      json: { email: pending.owner.email, password: NEW_PASSWORD },
    });
    expect(login.status).toBe(200);
    const old = await callAndSettle("POST", "/v1/login", { json: { email: pending.owner.email, password: PASSWORD } });
    expect(old.status).toBe(401);
    expect((await callAndSettle("GET", "/v1/me", { token: pending.thief.access_token })).status).toBe(401);
  });

  it("is void after the owner changes the password from their own session", async () => {
    const pending = await thiefAsksForEmailChange();
    const change = await callAndSettle("POST", "/v1/password/change", {
      token: pending.owner.tokens.access_token,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(change.status).toBe(204);
    await expectChangeRefused(pending);
    expect((await codeRow(pending.requestId))?.superseded_at).not.toBeNull();
  });

  it("is void after DELETE /v1/sessions", async () => {
    const pending = await thiefAsksForEmailChange();
    const everywhere = await callAndSettle("DELETE", "/v1/sessions", { token: pending.owner.tokens.access_token });
    expect(everywhere.status).toBe(204);
    await expectChangeRefused(pending);
    expect((await codeRow(pending.requestId))?.superseded_at).not.toBeNull();
  });

  it("is void after an operator disables the account, and stays void once it is enabled again", async () => {
    const pending = await thiefAsksForEmailChange();
    const context = await getServiceContext(env as Bindings);
    expect((await disableAccount(context, pending.owner.userId)).ok).toBe(true);
    await env.DB.prepare("update users set disabled_at = null where id = ?").bind(pending.owner.userId).run();
    await expectChangeRefused(pending);
    expect((await codeRow(pending.requestId))?.superseded_at).not.toBeNull();
  });

  it("is void once the session that asked for it ends, even with no other event", async () => {
    const pending = await thiefAsksForEmailChange();
    const { sessions } = await readJson<{ sessions: { id: string; current: boolean }[] }>(
      await callAndSettle("GET", "/v1/sessions", { token: pending.thief.access_token }),
    );
    const thiefSession = sessions.find((session) => session.current)?.id ?? "";
    const revoke = await callAndSettle("DELETE", `/v1/sessions/${thiefSession}`, {
      token: pending.owner.tokens.access_token,
    });
    expect(revoke.status).toBe(204);
    await expectChangeRefused(pending);
    // Not counted either: the code itself is untouched, it just cannot be redeemed.
    expect((await codeRow(pending.requestId))?.attempts).toBe(0);
  });

  it("is replaced by a newer change request, whose own code still works while its session is live", async () => {
    const pending = await thiefAsksForEmailChange();
    const ownerNew = uniqueEmail("owner-new");
    const newer = await callAndSettle("POST", "/v1/email/change", {
      token: pending.owner.tokens.access_token,
      json: { new_email: ownerNew, password: PASSWORD },
    });
    expect(newer.status).toBe(202);
    await expectChangeRefused(pending);
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(newer);
    const { code } = await latestCode(ownerNew, "email_change_code");
    const switched = await callAndSettle("POST", "/v1/email/verify", { json: { otp_request_id, code } });
    expect(switched.status).toBe(200);
    expect((await userState(pending.owner.userId))?.email).toBe(ownerNew);
  });

  it("dies with the account: deleting it leaves no change code behind", async () => {
    const pending = await thiefAsksForEmailChange();
    const deleted = await callAndSettle("DELETE", "/v1/me", {
      token: pending.owner.tokens.access_token,
      json: { password: PASSWORD },
    });
    expect(deleted.status).toBe(204);
    expect(await codeRow(pending.requestId)).toBeNull();
    const byLink = await callAndSettle("POST", "/v1/email/verify", { json: { token: pending.received.token } });
    expect(byLink.status).toBe(400);
    expect(await readJson(byLink)).toMatchObject({ code: "code_expired" });
  });
});
