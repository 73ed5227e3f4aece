// One-time codes and links: their shape, expiry and attempt limit, that only hashes are stored, and
// that D1 decides each guess atomically, so parallel requests can neither redeem a code twice nor
// guess more often than the limit allows.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateLinkToken, generateNumericCode } from "../src/crypto/one-time-code";
import { liveSessionCount, signUp } from "./support/accounts";
import { callAndSettle, readJson } from "./support/http";
import { callRequired, codeRow, latestCode, signUpPending, userState, wrongCode } from "./support/mail";

async function verifyStatus(json: Record<string, string>): Promise<{ status: number; code?: string }> {
  const response = await callRequired("POST", "/v1/email/verify", { json });
  const body = await readJson<{ code?: string }>(response);
  return response.status === 200 ? { status: 200 } : { status: response.status, code: body.code };
}

describe("codes and link tokens", () => {
  it("mails 6-digit numeric codes and 22-character (128-bit) link tokens, different every time", async () => {
    const codes = new Set<string>();
    const tokens = new Set<string>();
    for (let index = 0; index < 5; index += 1) {
      const { received } = await signUpPending();
      expect(received.code).toMatch(/^\d{6}$/);
      expect(received.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      codes.add(received.code);
      tokens.add(received.token);
    }
    expect(tokens.size).toBe(5);
    expect(codes.size).toBeGreaterThan(1);
  });

  it("draws every digit uniformly and link tokens from 16 random bytes", () => {
    const counts = new Array<number>(10).fill(0);
    const draws = 80_000;
    for (let index = 0; index < draws; index += 1) {
      const code = generateNumericCode(6);
      expect(code).toMatch(/^\d{6}$/);
      for (const digit of code) counts[Number(digit)] = (counts[Number(digit)] ?? 0) + 1;
    }
    // 480 000 digits: 48 000 expected each, standard deviation about 208; the low-high difference's
    // about 134, so 600 is 4.5 of them (200 at a quarter of the draws was 3, and failed about one run
    // in 300). A modulo bias (byte % 10) would put 0..5 about 1,900 above 6..9.
    for (const count of counts) expect(Math.abs(count - 48_000)).toBeLessThan(2_400);
    const low = counts.slice(0, 6).reduce((sum, count) => sum + count, 0) / 6;
    const high = counts.slice(6).reduce((sum, count) => sum + count, 0) / 4;
    expect(Math.abs(low - high)).toBeLessThan(600);
    expect(generateNumericCode(8)).toMatch(/^\d{8}$/);
    const token = generateLinkToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(atob(token.replaceAll("-", "+").replaceAll("_", "/"))).toHaveLength(16);
  });

  it("stores only hashes: neither the code nor the link token appears in any column", async () => {
    const pending = await signUpPending();
    const account = await signUp();
    const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email: account.email } });
    const { otp_request_id: resetId } = await readJson<{ otp_request_id: string }>(forgot);
    const reset = await latestCode(account.email, "reset_password");

    for (const [requestId, received] of [
      [pending.requestId, pending.received],
      [resetId, reset],
    ] as const) {
      const row = await codeRow(requestId);
      expect(row).not.toBeNull();
      for (const value of Object.values(row ?? {})) {
        expect(String(value)).not.toContain(received.code);
        expect(String(value)).not.toContain(received.token);
      }
      expect(row?.code_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(row?.link_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("expires after 10 minutes: a code past expires_at answers as a wrong one, a link code_expired", async () => {
    const pending = await signUpPending();
    const row = await codeRow(pending.requestId);
    expect((row?.expires_at ?? 0) - (row?.created_at ?? 0)).toBe(600);
    await env.DB.prepare("update one_time_codes set expires_at = ? where id = ?")
      .bind(Math.floor(Date.now() / 1000) - 1, pending.requestId)
      .run();
    expect(await verifyStatus({ otp_request_id: pending.requestId, code: pending.received.code })).toEqual({
      status: 400,
      code: "invalid_code",
    });
    expect(await verifyStatus({ token: pending.received.token })).toEqual({ status: 400, code: "code_expired" });
    expect(await codeRow(pending.requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect((await userState(pending.userId))?.email_verified).toBe(0);
  });

  it("allows at most 5 wrong attempts; then the code is dead, even with the right code", async () => {
    const pending = await signUpPending();
    const wrong = wrongCode(pending.received.code);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect(await verifyStatus({ otp_request_id: pending.requestId, code: wrong })).toEqual({
        status: 400,
        code: "invalid_code",
      });
    }
    expect(await verifyStatus({ otp_request_id: pending.requestId, code: wrong })).toEqual({
      status: 400,
      code: "invalid_code",
    });
    expect(await verifyStatus({ otp_request_id: pending.requestId, code: pending.received.code })).toEqual({
      status: 400,
      code: "invalid_code",
    });
    expect(await codeRow(pending.requestId)).toMatchObject({ attempts: 5, consumed_at: null });
    expect((await userState(pending.userId))?.email_verified).toBe(0);
    expect(await liveSessionCount(pending.userId)).toBe(0);
  });

  it("binds a code to its request id: the right digits under another request id are refused", async () => {
    const first = await signUpPending();
    const second = await signUpPending();
    if (first.received.code !== second.received.code) {
      expect(await verifyStatus({ otp_request_id: second.requestId, code: first.received.code })).toEqual({
        status: 400,
        code: "invalid_code",
      });
    }
    expect((await userState(second.userId))?.email_verified).toBe(0);
    expect((await codeRow(first.requestId))?.consumed_at).toBeNull();
  });
});

describe("concurrent redemption", () => {
  it("accepts the same correct code sent 10 times in parallel exactly once", async () => {
    const pending = await signUpPending();
    const json = { otp_request_id: pending.requestId, code: pending.received.code };
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => verifyStatus(json)));
    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 400 && outcome.code === "invalid_code")).toHaveLength(9);
    const row = await codeRow(pending.requestId);
    expect(row?.consumed_at).not.toBeNull();
    expect(row?.attempts).toBe(1);
    expect(await liveSessionCount(pending.userId)).toBe(1);
  });

  it("accepts the same link sent 10 times in parallel exactly once", async () => {
    const pending = await signUpPending();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => verifyStatus({ token: pending.received.token })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.code === "code_expired")).toHaveLength(9);
    expect(await liveSessionCount(pending.userId)).toBe(1);
  });

  it("resets a password once when the same reset code is sent 10 times in parallel", async () => {
    const account = await signUp();
    const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email: account.email } });
    const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(forgot);
    const { code } = await latestCode(account.email, "reset_password");
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        callAndSettle("POST", "/v1/password/reset", {
          json: { otp_request_id: requestId, code, new_password: `parallel passphrase number ${index}` },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(9);
    expect((await codeRow(requestId))?.consumed_at).not.toBeNull();
    // Exactly the winner's password is set.
    const winner = statuses.indexOf(204);
    const login = await callAndSettle("POST", "/v1/login", {
      json: { email: account.email, password: `parallel passphrase number ${winner}` },
    });
    expect(login.status).toBe(200);
  });

  it("counts 20 parallel wrong guesses to exactly 5 attempts; the right code is then refused", async () => {
    const pending = await signUpPending();
    const wrong = wrongCode(pending.received.code);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => verifyStatus({ otp_request_id: pending.requestId, code: wrong })),
    );
    // Five were judged and fifteen found the code dead; both answer alike (a dead code tells nothing).
    expect(outcomes).toEqual(Array(20).fill({ status: 400, code: "invalid_code" }));
    expect(await codeRow(pending.requestId)).toMatchObject({ attempts: 5, consumed_at: null });

    expect(await verifyStatus({ otp_request_id: pending.requestId, code: pending.received.code })).toEqual({
      status: 400,
      code: "invalid_code",
    });
    expect((await userState(pending.userId))?.email_verified).toBe(0);
    expect(await liveSessionCount(pending.userId)).toBe(0);
  });
});
