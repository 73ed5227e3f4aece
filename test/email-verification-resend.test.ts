// Resending the verification code (verification required): a resend replaces the older code and link,
// answers unknown and verified addresses alike, is limited per address, and delivers once a mail
// provider that was down at sign-up is back.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { callWith, readJson, UUID } from "./support/http";
import {
  callRequired,
  codeRow,
  codeRowsOf,
  expectCodeAndLinkDead,
  latestCode,
  mailTo,
  resendEnv,
  signUpPending,
  userState,
} from "./support/mail";
import { awaitFreshMinute } from "./support/throttle";

afterEach(() => {
  vi.restoreAllMocks();
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
    await expectCodeAndLinkDead(callRequired, "/v1/email/verify", account);
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
