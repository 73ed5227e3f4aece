// Email verification with verification required: sign-up answers a code request and no session,
// the code or the link verifies the address and opens a session, resend replaces the older code,
// and nothing here tells a caller which addresses have accounts.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { readJson } from "./support/http";
import {
  awaitFreshMinute,
  callRequired,
  callWith,
  codeRow,
  codeRowsOf,
  deadCodeAnswer,
  latestCode,
  liveSessionCount,
  mailTo,
  resendEnv,
  signUpPending,
  userState,
} from "./support/mail";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

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
    for (const json of [
      { otp_request_id: account.requestId, code: account.received.code },
      { token: account.received.token },
    ]) {
      const again = await callRequired("POST", "/v1/email/verify", { json });
      expect(again.status).toBe(400);
      expect(await readJson(again)).toMatchObject({ code: deadCodeAnswer(json) });
    }
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

describe("POST /v1/email/verify/resend", () => {
  it("sends a new code that replaces the older code and link, which are then dead", async () => {
    const account = await signUpPending();
    const response = await callRequired("POST", "/v1/email/verify/resend", { json: { email: account.email } });
    expect(response.status).toBe(202);
    const { otp_request_id: newId } = await readJson<{ otp_request_id: string }>(response);
    expect(newId).not.toBe(account.requestId);
    const fresh = await latestCode(account.email, "verify_email");
    expect(fresh.token).not.toBe(account.received.token);

    expect((await codeRow(account.requestId))?.superseded_at).not.toBeNull();
    for (const json of [
      { otp_request_id: account.requestId, code: account.received.code },
      { token: account.received.token },
    ]) {
      const old = await callRequired("POST", "/v1/email/verify", { json });
      expect(old.status).toBe(400);
      expect(await readJson(old)).toMatchObject({ code: deadCodeAnswer(json) });
    }
    expect((await userState(account.userId))?.email_verified).toBe(0);

    const verified = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: newId, code: fresh.code },
    });
    expect(verified.status).toBe(200);
    expect((await userState(account.userId))?.email_verified).toBe(1);
  });

  it("answers unknown and already verified addresses with the same 202 and mails neither", async () => {
    const verified = await signUpPending();
    expect((await callRequired("POST", "/v1/email/verify", { json: { token: verified.received.token } })).status).toBe(
      200,
    );
    const pending = await signUpPending();
    const unknown = uniqueEmail("nobody");
    const answers = [];
    for (const email of [pending.email, verified.email, unknown]) {
      const response = await callRequired("POST", "/v1/email/verify/resend", { json: { email } });
      const body = await readJson(response);
      answers.push({ status: response.status, keys: Object.keys(body), id: UUID.test(String(body.otp_request_id)) });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]).toEqual({ status: 202, keys: ["otp_request_id"], id: true });
    expect(await mailTo(unknown)).toEqual([]);
    expect((await mailTo(verified.email, "verify_email")).length).toBe(1);
    expect((await mailTo(pending.email, "verify_email")).length).toBe(2);
  });

  it("limits resends per address: the 4th within a minute is 429 with Retry-After, for unknown addresses too", async () => {
    await awaitFreshMinute();
    const account = await signUpPending();
    const unknown = uniqueEmail("nobody");
    for (const email of [account.email, unknown]) {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const response = await callRequired("POST", "/v1/email/verify/resend", { json: { email } });
        expect(response.status).toBe(202);
      }
      const limited = await callRequired("POST", "/v1/email/verify/resend", { json: { email } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(limited.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await readJson(limited)).toEqual({
        type: "urn:edge-auth:error:rate_limited",
        title: "Too many requests",
        status: 429,
        code: "rate_limited",
      });
    }
    // The sign-up mail and three resends; the refused fourth sent nothing.
    expect(await mailTo(account.email, "verify_email")).toHaveLength(4);
    expect(await codeRowsOf(account.userId, "verify_email")).toHaveLength(4);
    expect(await mailTo(unknown)).toEqual([]);
  }, 30_000);
});

describe("mail provider down during sign-up", () => {
  it("answers 503 mail_unavailable, keeps the account, and a resend works once the provider is back", async () => {
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => new Response("upstream down", { status: 503 }));
    const email = uniqueEmail("down");

    const signup = await callWith(resendEnv, "POST", "/v1/signup", { json: { email, password: PASSWORD } });
    expect(signup.status).toBe(503);
    expect(await readJson(signup)).toMatchObject({ code: "mail_unavailable", status: 503 });
    expect(fetchSpy).toHaveBeenCalled();
    const user = await env.DB.prepare("select id, email_verified from users where email = ?")
      .bind(email)
      .first<{ id: string; email_verified: number }>();
    expect(user?.email_verified).toBe(0);
    const userId = user?.id ?? "";
    const login = await callWith(resendEnv, "POST", "/v1/login", { json: { email, password: PASSWORD } });
    expect(login.status).toBe(403);
    expect(await readJson(login)).toMatchObject({ code: "email_not_verified" });

    // Still down: the resend answers 202 as for any address (it mails after the response), and the
    // failure stays in the log; the account is as it was.
    const stillDown = await callWith(resendEnv, "POST", "/v1/email/verify/resend", { json: { email } });
    expect(stillDown.status).toBe(202);
    expect((await userState(userId))?.email_verified).toBe(0);

    fetchSpy.mockClear();
    fetchSpy.mockImplementation(async () => Response.json({ id: "x" }));
    const resend = await callWith(resendEnv, "POST", "/v1/email/verify/resend", { json: { email } });
    expect(resend.status).toBe(202);
    const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(resend);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0] ?? [];
    expect(String(url)).toBe("https://api.resend.com/emails");
    const sent = JSON.parse(String(init?.body)) as { to: string[]; text: string };
    expect(sent.to).toEqual([email]);
    const code = /\b(\d{6})\b/.exec(sent.text)?.[1] ?? "";

    const verify = await callWith(resendEnv, "POST", "/v1/email/verify", { json: { otp_request_id: requestId, code } });
    expect(verify.status).toBe(200);
    expect((await userState(userId))?.email_verified).toBe(1);
    // Three codes were issued; only the delivered one was used, the others were replaced.
    const rows = await codeRowsOf(userId, "verify_email");
    expect(rows).toHaveLength(3);
    expect(rows.filter((row) => row.consumed_at !== null).map((row) => row.id)).toEqual([requestId]);
    expect(rows.filter((row) => row.superseded_at !== null)).toHaveLength(2);
  });
});
