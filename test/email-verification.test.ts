// Email verification with verification required: sign-up answers a code request and no session,
// the code or the link verifies the address and opens a session, and nothing here tells a caller
// which addresses have accounts. Resending the code is in test/email-verification-resend.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liveSessionCount, PASSWORD, uniqueEmail } from "./support/accounts";
import { readJson, UUID } from "./support/http";
import {
  callRequired,
  codeRow,
  codeRowsOf,
  expectCodeAndLinkDead,
  mailTo,
  signUpPending,
  userState,
} from "./support/mail";

describe("sign-up with verification required", () => {
  it("answers 201 with only an otp_request_id, opens no session and mails a 6-digit code and a link", async () => {
    const email = uniqueEmail("pending");
    const response = await callRequired("POST", "/v1/signup", { json: { email, password: PASSWORD } });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const body = await readJson(response);
    expect(Object.keys(body)).toEqual(["otp_request_id"]);
    expect(body.otp_request_id).toMatch(UUID);

    const user = await env.DB.prepare("select id, email_verified from users where email = ?")
      .bind(email)
      .first<{ id: string; email_verified: number }>();
    expect(user?.email_verified).toBe(0);
    expect(await liveSessionCount(user?.id ?? "")).toBe(0);
    const row = await codeRow(String(body.otp_request_id));
    expect(row).toMatchObject({ user_id: user?.id, purpose: "verify_email", target: email, attempts: 0 });
    expect(row?.consumed_at).toBeNull();

    const mails = await mailTo(email);
    expect(mails.map((mail) => mail.kind)).toEqual(["verify_email"]);
    expect(mails[0]?.code).toMatch(/^\d{6}$/);
    expect(mails[0]?.link).toMatch(/^https:\/\/auth\.test\/verify-email\?token=[A-Za-z0-9_-]{22}$/);
  });

  it("refuses login before verification with 403 email_not_verified only after the right password", async () => {
    const account = await signUpPending();
    const wrong = await callRequired("POST", "/v1/login", {
      json: { email: account.email, password: `${PASSWORD}!` },
    });
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toMatchObject({ code: "invalid_credentials" });

    const right = await callRequired("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(right.status).toBe(403);
    expect(right.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await readJson(right)).toMatchObject({ code: "email_not_verified", status: 403 });
    expect(await liveSessionCount(account.userId)).toBe(0);
  });

  it("answers a never-verified address exactly like a new one, and that sign-up replaces the pending registration", async () => {
    const owner = await signUpPending();
    const usersBefore = await env.DB.prepare("select count(*) as n from users").first<{ n: number }>();

    const fresh = await callRequired("POST", "/v1/signup", { json: { email: uniqueEmail(), password: PASSWORD } });
    const taken = await callRequired("POST", "/v1/signup", {
      json: { email: owner.email.toUpperCase(), password: "another long passphrase" },
    });
    expect(taken.status).toBe(fresh.status);
    expect(taken.headers.get("Content-Type")).toBe(fresh.headers.get("Content-Type"));
    expect(taken.headers.get("Cache-Control")).toBe(fresh.headers.get("Cache-Control"));
    const [freshText, takenText] = [await fresh.text(), await taken.text()];
    expect(takenText.length).toBe(freshText.length);
    const takenBody = JSON.parse(takenText) as Record<string, unknown>;
    expect(Object.keys(takenBody)).toEqual(Object.keys(JSON.parse(freshText) as object));
    expect(takenBody.otp_request_id).toMatch(UUID);

    // One new user (the fresh sign-up); the unverified one is the same row, now holding the second
    // sign-up's password, with a new code that replaced the first.
    const usersAfter = await env.DB.prepare("select count(*) as n from users").first<{ n: number }>();
    expect(usersAfter?.n).toBe((usersBefore?.n ?? 0) + 1);
    const mails = await mailTo(owner.email);
    expect(mails.map((mail) => mail.kind)).toEqual(["verify_email", "verify_email"]);
    const rows = await codeRowsOf(owner.userId);
    const live = (row: { superseded_at: number | null }) => row.superseded_at === null;
    expect(rows.map((row) => [row.id, live(row)])).toEqual([
      [owner.requestId, false],
      [takenBody.otp_request_id, true],
    ]);
    expect((await userState(owner.userId))?.email_verified).toBe(0);
    const old = await callRequired("POST", "/v1/login", { json: { email: owner.email, password: PASSWORD } });
    expect(old.status).toBe(401);
    const replaced = await callRequired("POST", "/v1/login", {
      json: { email: owner.email, password: "another long passphrase" },
    });
    expect(replaced.status).toBe(403);
    expect(await readJson(replaced)).toMatchObject({ code: "email_not_verified" });
  });

  it("answers a verified, registered address the same way too", async () => {
    const owner = await signUpPending();
    const verified = await callRequired("POST", "/v1/email/verify", { json: { token: owner.received.token } });
    expect(verified.status).toBe(200);
    const again = await callRequired("POST", "/v1/signup", { json: { email: owner.email, password: PASSWORD } });
    expect(again.status).toBe(201);
    expect(Object.keys(await readJson(again))).toEqual(["otp_request_id"]);
    expect((await mailTo(owner.email))[0]?.kind).toBe("account_exists");
    expect(await liveSessionCount(owner.userId)).toBe(1);
  });
});

describe("POST /v1/email/verify", () => {
  it("verifies by otp_request_id and code, answers the user and a token response, and consumes the code", async () => {
    const account = await signUpPending();
    const response = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: account.requestId, code: account.received.code },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const body = await readJson<{ user: Record<string, unknown>; access_token: string; refresh_token: string }>(
      response,
    );
    expect(body.user).toMatchObject({ id: account.userId, email: account.email, email_verified: true });
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900 });

    expect((await userState(account.userId))?.email_verified).toBe(1);
    expect(await liveSessionCount(account.userId)).toBe(1);
    const row = await codeRow(account.requestId);
    expect(row?.consumed_at).not.toBeNull();
    expect(row?.attempts).toBe(1);

    const me = await callRequired("GET", "/v1/me", { token: body.access_token });
    expect(me.status).toBe(200);
    const login = await callRequired("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(login.status).toBe(200);
  });

  it("verifies by the mail link's token alone", async () => {
    const account = await signUpPending();
    const response = await callRequired("POST", "/v1/email/verify", { json: { token: account.received.token } });
    expect(response.status).toBe(200);
    expect((await readJson<{ user: { email_verified: boolean } }>(response)).user.email_verified).toBe(true);
    expect((await userState(account.userId))?.email_verified).toBe(1);
    expect((await codeRow(account.requestId))?.consumed_at).not.toBeNull();
  });

  it("refuses a wrong code with 400 invalid_code, counting the attempt and leaving the address unverified", async () => {
    const account = await signUpPending();
    const wrong = account.received.code === "000000" ? "000001" : "000000";
    const response = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: account.requestId, code: wrong },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_code", status: 400 });
    expect((await codeRow(account.requestId))?.attempts).toBe(1);
    expect((await userState(account.userId))?.email_verified).toBe(0);
    expect(await liveSessionCount(account.userId)).toBe(0);
  });

  it("refuses a used code (as if wrong) and a used link (code_expired)", async () => {
    const account = await signUpPending();
    const first = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: account.requestId, code: account.received.code },
    });
    expect(first.status).toBe(200);
    await expectCodeAndLinkDead(callRequired, "/v1/email/verify", account);
    expect(await liveSessionCount(account.userId)).toBe(1);
  });

  it("refuses an unknown request id as a wrong code and a made-up link token with code_expired", async () => {
    const unknownId = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: crypto.randomUUID(), code: "123456" },
    });
    expect(unknownId.status).toBe(400);
    expect(await readJson(unknownId)).toMatchObject({ code: "invalid_code" });
    const madeUp = await callRequired("POST", "/v1/email/verify", { json: { token: "A".repeat(22) } });
    expect(madeUp.status).toBe(400);
    expect(await readJson(madeUp)).toMatchObject({ code: "code_expired" });
  });

  it("refuses bodies that are neither shape with invalid_request", async () => {
    for (const json of [{ code: "123456" }, { otp_request_id: crypto.randomUUID(), code: "12ab56" }, { token: "" }]) {
      const response = await callRequired("POST", "/v1/email/verify", { json });
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "invalid_request" });
    }
  });
});
