// Forgotten-password reset: /v1/password/forgot answers the same for every address and mails only
// real accounts; /v1/password/reset takes the code or the link, ends every session and mails a notice.
// Which codes a reset refuses (other purposes, accounts and addresses) is in password-reset-codes.test.ts.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { liveSessionCount, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { callAndSettle, callWith, readJson } from "./support/http";
import { codeRow, codeRowsOf, latestCode, mailTo, resendEnv, userState, wrongCode } from "./support/mail";
import { accountWithResetCode, expectLogin, forgot, NEW_PASSWORD } from "./support/password-reset";
import { awaitFreshMinute } from "./support/throttle";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /v1/password/forgot", () => {
  it("answers known and unknown addresses with the same 202, and only the known one gets a code and a link", async () => {
    const account = await signUp();
    const unknown = uniqueEmail("nobody");
    const known = await forgot(account.email);
    const missing = await forgot(unknown);
    for (const { response } of [known, missing]) {
      expect(response.status).toBe(202);
      expect(response.headers.get("Cache-Control")).toContain("no-store");
    }
    const [knownBody, missingBody] = [await readJson(known.response), await readJson(missing.response)];
    expect(Object.keys(missingBody)).toEqual(Object.keys(knownBody));
    expect(Object.keys(knownBody)).toEqual(["otp_request_id"]);
    expect(JSON.stringify(missingBody).length).toBe(JSON.stringify(knownBody).length);

    expect(await mailTo(unknown)).toEqual([]);
    expect(await codeRow(missing.requestId)).toBeNull();
    const mails = await mailTo(account.email, "reset_password");
    expect(mails).toHaveLength(1);
    expect(mails[0]?.code).toMatch(/^\d{6}$/);
    expect(mails[0]?.link).toMatch(/^https:\/\/auth\.test\/reset-password\?token=[A-Za-z0-9_-]{22}$/);
    expect(await codeRow(known.requestId)).toMatchObject({
      user_id: account.userId,
      purpose: "reset_password",
      target: account.email,
      attempts: 0,
      consumed_at: null,
    });
  });

  it("mails nothing for a disabled account while answering the same", async () => {
    const account = await signUp();
    await env.DB.prepare("update users set disabled_at = 1 where id = ?").bind(account.userId).run();
    const { response, requestId } = await forgot(account.email);
    expect(response.status).toBe(202);
    expect(await mailTo(account.email, "reset_password")).toEqual([]);
    expect(await codeRow(requestId)).toBeNull();
  });

  it("answers 202 even when the mail provider is down, since mail goes out after the response", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("", { status: 503 }));
    const account = await signUp();
    const response = await callWith(resendEnv, "POST", "/v1/password/forgot", { json: { email: account.email } });
    expect(response.status).toBe(202);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(await codeRowsOf(account.userId, "reset_password")).toHaveLength(1);
  });

  it("replaces the older reset code when asked again", async () => {
    const account = await accountWithResetCode();
    const again = await forgot(account.email);
    const fresh = await latestCode(account.email, "reset_password");
    expect((await codeRow(account.requestId))?.superseded_at).not.toBeNull();
    const old = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: account.requestId, code: account.received.code, new_password: NEW_PASSWORD },
    });
    expect(old.status).toBe(400);
    expect(await readJson(old)).toMatchObject({ code: "invalid_code" });
    const current = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: again.requestId, code: fresh.code, new_password: NEW_PASSWORD },
    });
    expect(current.status).toBe(204);
  });

  it("limits requests per address: the 4th within a minute is 429 with Retry-After, for unknown addresses too", async () => {
    await awaitFreshMinute();
    const account = await signUp();
    const unknown = uniqueEmail("nobody");
    for (const email of [account.email, unknown]) {
      for (let attempt = 1; attempt <= 3; attempt += 1) expect((await forgot(email)).response.status).toBe(202);
      const limited = await callAndSettle("POST", "/v1/password/forgot", { json: { email } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(limited.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await readJson(limited)).toMatchObject({ code: "rate_limited", status: 429 });
    }
    expect(await mailTo(account.email, "reset_password")).toHaveLength(3);
    expect(await codeRowsOf(account.userId, "reset_password")).toHaveLength(3);
  }, 30_000);

  it("limits mail requests per client IP across addresses with 429", async () => {
    await awaitFreshMinute();
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 20}`;
    const statuses: number[] = [];
    for (let index = 0; index < 61; index += 1) {
      const response = await callAndSettle("POST", "/v1/password/forgot", {
        json: { email: uniqueEmail("ip") },
        ip,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 60).every((status) => status === 202)).toBe(true);
    expect(statuses[60]).toBe(429);
  }, 30_000);
});

describe("POST /v1/password/reset", () => {
  it("resets by code: 204, the new password works, every session ends and a notice is mailed", async () => {
    const account = await accountWithResetCode();
    expect(await liveSessionCount(account.userId)).toBe(2);
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: account.requestId, code: account.received.code, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(204);

    expect(await liveSessionCount(account.userId)).toBe(0);
    for (const tokens of account.sessions) {
      const refresh = await callAndSettle("POST", "/v1/token/refresh", {
        json: { refresh_token: tokens.refresh_token },
      });
      expect(refresh.status).toBe(401);
      expect(await readJson(refresh)).toMatchObject({ code: "invalid_refresh_token" });
      const me = await callAndSettle("GET", "/v1/me", { token: tokens.access_token });
      expect(me.status).toBe(401);
      expect(await readJson(me)).toMatchObject({ code: "invalid_token" });
    }
    expect((await codeRow(account.requestId))?.consumed_at).not.toBeNull();
    expect(await mailTo(account.email, "password_changed")).toHaveLength(1);
    await expectLogin(account.email, PASSWORD, 401);
    await expectLogin(account.email, NEW_PASSWORD, 200);
  });

  it("resets by the mail link's token alone", async () => {
    const account = await accountWithResetCode();
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { token: account.received.token, new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(204);
    expect(await liveSessionCount(account.userId)).toBe(0);
    expect((await codeRow(account.requestId))?.consumed_at).not.toBeNull();
    expect(await mailTo(account.email, "password_changed")).toHaveLength(1);
    await expectLogin(account.email, NEW_PASSWORD, 200);
    const again = await callAndSettle("POST", "/v1/password/reset", {
      json: { token: account.received.token, new_password: "yet another passphrase" },
    });
    expect(again.status).toBe(400);
    expect(await readJson(again)).toMatchObject({ code: "code_expired" });
    await expectLogin(account.email, NEW_PASSWORD, 200);
  });

  it("refuses a weak new password with weak_password and keeps the code usable", async () => {
    const account = await accountWithResetCode();
    const weak = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: account.requestId, code: account.received.code, new_password: "short" },
    });
    expect(weak.status).toBe(400);
    expect(await readJson(weak)).toMatchObject({ code: "weak_password", errors: [{ field: "new_password" }] });
    expect(await codeRow(account.requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect(await liveSessionCount(account.userId)).toBe(2);

    const strong = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: account.requestId, code: account.received.code, new_password: NEW_PASSWORD },
    });
    expect(strong.status).toBe(204);
  });

  it("refuses a wrong code with invalid_code and changes nothing", async () => {
    const account = await accountWithResetCode();
    const before = await userState(account.userId);
    const response = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: account.requestId, code: wrongCode(account.received.code), new_password: NEW_PASSWORD },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_code" });
    expect(await userState(account.userId)).toEqual(before);
    expect(await liveSessionCount(account.userId)).toBe(2);
    expect(await codeRow(account.requestId)).toMatchObject({ attempts: 1, consumed_at: null });
  });
});
