// The limits around the second factor: the per-account TOTP lock (counted in D1 across
// challenges and locations) and the MFA token's own rules (single use, expiry, attempts, binding).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sessionRowCount } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { call, readJson } from "./support/http";
import {
  challengeRowsOf,
  completeMfa,
  forgetLastTotpStep,
  holdTotpStep,
  logInToMfa,
  signUpWithTotp,
  totpCode,
  totpRow,
  wrongTotpCode,
} from "./support/totp";

describe("the TOTP lock", () => {
  it("locks the factor after five wrong codes across challenges, refusing even the right code with 429 mfa_locked", async () => {
    const account = await signUpWithTotp();
    const wrong = await wrongTotpCode(account.secret);
    const statuses: number[] = [];
    for (const attempts of [3, 2]) {
      const { mfa_token } = await logInToMfa(account.email);
      for (let index = 0; index < attempts; index++)
        statuses.push((await completeMfa(mfa_token, { code: wrong })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const row = await totpRow(account.userId);
    const now = Math.floor(Date.now() / 1000);
    expect(row?.locked_until).toBeGreaterThanOrEqual(now + 890);
    expect(row?.locked_until).toBeLessThanOrEqual(now + 900);

    const { mfa_token } = await logInToMfa(account.email);
    const locked = await completeMfa(mfa_token, { code: await totpCode(account.secret) });
    expect(locked.status).toBe(429);
    expect(await readJson(locked)).toMatchObject({ code: "mfa_locked" });
    expect((await totpRow(account.userId))?.failed_attempts).toBe(5);
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("opens again when the lock has run out, and then one more wrong code locks again", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const past = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("update totp_factors set failed_attempts = 5, locked_until = ? where user_id = ?")
      .bind(past, account.userId)
      .run();
    const { mfa_token } = await logInToMfa(account.email);
    const again = await completeMfa(mfa_token, { code: await wrongTotpCode(account.secret) });
    expect(again.status).toBe(429);
    expect((await totpRow(account.userId))?.locked_until).toBeGreaterThan(past + 800);

    // The new lock runs its 15 minutes on the Worker's clock.
    advanceClock(15 * 60);
    const open = await logInToMfa(account.email);
    expect((await completeMfa(open.mfa_token, { code: await totpCode(account.secret) })).status).toBe(200);
    expect(await totpRow(account.userId)).toMatchObject({ failed_attempts: 0 });
  });

  it("lets a recovery code through while the TOTP factor is locked", async () => {
    const account = await signUpWithTotp();
    const lockedUntil = Math.floor(Date.now() / 1000) + 900;
    await env.DB.prepare("update totp_factors set failed_attempts = 5, locked_until = ? where user_id = ?")
      .bind(lockedUntil, account.userId)
      .run();
    const { mfa_token } = await logInToMfa(account.email);
    expect((await completeMfa(mfa_token, { recovery_code: account.recoveryCodes[0] ?? "" })).status).toBe(200);
  });
});

describe("the MFA token", () => {
  it("works once", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    expect((await completeMfa(mfa_token, { code: await totpCode(account.secret) })).status).toBe(200);
    await forgetLastTotpStep(account.userId);
    const again = await completeMfa(mfa_token, { code: await totpCode(account.secret) });
    expect(again.status).toBe(401);
    expect(await readJson(again)).toMatchObject({ code: "invalid_mfa_token" });
  });

  it("expires after five minutes", async () => {
    freezeClock();
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    advanceClock(5 * 60);
    const response = await completeMfa(mfa_token, { code: await totpCode(account.secret) });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_token" });
    expect((await totpRow(account.userId))?.last_used_step).toBeNull();
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("admits five attempts, then refuses even the right code", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    for (let index = 0; index < 5; index++) {
      const response = await completeMfa(mfa_token, { recovery_code: "aaaa-aaaa-aaaa" });
      expect(response.status).toBe(400);
    }
    const response = await completeMfa(mfa_token, { code: await totpCode(account.secret) });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_token" });
    expect(await challengeRowsOf(account.userId)).toEqual([{ attempts: 5, consumed_at: null }]);
  });

  it("never counts more than five attempts, however many guesses arrive in parallel", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => completeMfa(mfa_token, { recovery_code: "bbbb-bbbb-bbbb" })),
    );
    const codes = await Promise.all(responses.map(async (response) => (await readJson(response)).code));
    expect(codes.filter((code) => code === "invalid_mfa_code")).toHaveLength(5);
    expect(codes.filter((code) => code === "invalid_mfa_token")).toHaveLength(7);
    expect(await challengeRowsOf(account.userId)).toEqual([{ attempts: 5, consumed_at: null }]);
  });

  it("is bound to its login: another account's codes do not finish it", async () => {
    holdTotpStep();
    const victim = await signUpWithTotp();
    const attacker = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(victim.email);
    const withTotp = await completeMfa(mfa_token, { code: await totpCode(attacker.secret) });
    expect(withTotp.status).toBe(400);
    expect(await readJson(withTotp)).toMatchObject({ code: "invalid_mfa_code" });
    const withRecovery = await completeMfa(mfa_token, { recovery_code: attacker.recoveryCodes[0] ?? "" });
    expect(withRecovery.status).toBe(400);
    expect(await sessionRowCount(victim.userId)).toBe(1);
    // Neither of the attacker's codes was used up by the attempt.
    expect((await totpRow(attacker.userId))?.last_used_step).toBeNull();
    const own = await logInToMfa(attacker.email);
    expect((await completeMfa(own.mfa_token, { recovery_code: attacker.recoveryCodes[0] ?? "" })).status).toBe(200);
  });

  it("refuses an unknown, malformed or oversized token with 401 invalid_mfa_token", async () => {
    for (const token of ["x", "A".repeat(43), "A".repeat(128)]) {
      const response = await completeMfa(token, { code: "123456" });
      expect(response.status, token).toBe(401);
      expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_token" });
    }
    const oversized = await completeMfa("A".repeat(129), { code: "123456" });
    expect(oversized.status).toBe(400);
    expect(await readJson(oversized)).toMatchObject({ code: "invalid_request" });
  });

  it("refuses a body with both or neither of code and recovery_code", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    for (const json of [{ mfa_token }, { mfa_token, code: "123456", recovery_code: "aaaa-aaaa-aaaa" }]) {
      const response = await call("POST", "/v1/login/mfa", { json });
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "invalid_request" });
    }
    expect(await challengeRowsOf(account.userId)).toEqual([{ attempts: 0, consumed_at: null }]);
  });
});
