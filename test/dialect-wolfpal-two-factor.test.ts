// wolfpal's Login with Two Factor: a login of an account with TOTP answers TWO_FACTOR_REQUIRED and a
// token (no session), /auth/two-factor finishes it with a TOTP or a recovery code, and every wrong
// code counts toward the same budgets as /v1/login/mfa (the challenge's attempts, the factor's lock).
import { describe, expect, it } from "vitest";
import { claimsOf, me, sessionRowCount } from "./support/accounts";
import { advanceClock } from "./support/clock";
import { JWT, twoFactor, twoFactorTokenOf, wolfpalLogIn } from "./support/dialect-wolfpal";
import { expectDialectError } from "./support/dialects";
import { call, readJson } from "./support/http";
import {
  challengeRowsOf,
  completeMfa,
  holdTotpStep,
  logInToMfa,
  signUpWithTotp,
  totpCode,
  wrongTotpCode,
} from "./support/totp";

const BAD_TOKEN = { code: "INVALID_TWO_FACTOR_TOKEN", error: "Invalid two factor token." };
const BAD_CODE = { code: "INVALID_TWO_FACTOR_CODE", error: "Invalid two factor code." };
const LOCKED = { code: "TWO_FACTOR_LOCKED", error: "Too many wrong two factor codes; try again later." };

describe("wolfpal: Login with Two Factor", () => {
  it("login answers TWO_FACTOR_REQUIRED with a token and no tokens; the code finishes it (form, as documented)", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const sessions = await sessionRowCount(account.userId);
    const login = await wolfpalLogIn(account.email);
    expect(login.status).toBe(200);
    const challenge = await readJson<Record<string, unknown>>(login);
    expect(Object.keys(challenge)).toEqual(["code", "error", "token", "twoFactor"]);
    expect(challenge).toEqual({
      code: "TWO_FACTOR_REQUIRED",
      error: "Two Factor is required to complete login.",
      token: expect.stringMatching(/^[\w-]{43}$/),
      twoFactor: true,
    });
    expect(await sessionRowCount(account.userId)).toBe(sessions);

    const done = await twoFactor({ token: String(challenge.token), code: await totpCode(account.secret) });
    expect(done.status).toBe(200);
    const pair = await readJson<{ access_token: string; refresh_token: string; twoFactor: boolean }>(done);
    expect(Object.keys(pair)).toEqual(["access_token", "refresh_token", "twoFactor"]);
    expect(pair).toMatchObject({ access_token: expect.stringMatching(JWT), twoFactor: true });
    expect(claimsOf(pair.access_token).amr).toEqual(expect.arrayContaining(["pwd", "otp", "mfa"]));
    expect((await me(pair.access_token)).status).toBe(200);

    // The token is single use.
    await expectDialectError(await twoFactor({ token: String(challenge.token), code: "000000" }), 400, BAD_TOKEN);
  });

  it("takes a recovery code in `code` (JSON, as the SPA sends it); each recovery code works once", async () => {
    const account = await signUpWithTotp();
    const [recovery] = account.recoveryCodes;
    const first = await call("POST", "/auth/two-factor", {
      json: { token: await twoFactorTokenOf(account.email), code: recovery },
    });
    expect(first.status).toBe(200);
    expect(claimsOf((await readJson<{ access_token: string }>(first)).access_token).amr).toContain("rc");
    const again = await twoFactor({ token: await twoFactorTokenOf(account.email), code: recovery ?? "" });
    await expectDialectError(again, 401, BAD_CODE);
  });

  it("is one core with /v1: a wolfpal token finishes at /v1/login/mfa, a /v1 token at /auth/two-factor", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const viaV1 = await completeMfa(await twoFactorTokenOf(account.email), {
      recovery_code: account.recoveryCodes[0] ?? "",
    });
    expect(viaV1.status).toBe(200);
    const { mfa_token } = await logInToMfa(account.email);
    const viaWolfpal = await twoFactor({ token: mfa_token, code: await totpCode(account.secret) });
    expect(viaWolfpal.status).toBe(200);
  });

  it("counts wrong codes: 401 each, the factor locks at the fifth (429, Retry-After), then the token is spent", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const token = await twoFactorTokenOf(account.email);
    const wrong = await wrongTotpCode(account.secret);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await expectDialectError(await twoFactor({ token, code: wrong }), 401, BAD_CODE);
    }
    expect((await challengeRowsOf(account.userId)).at(-1)?.attempts).toBe(4);
    const locked = await twoFactor({ token, code: wrong });
    expect(locked.headers.get("Retry-After")).toMatch(/^\d+$/);
    await expectDialectError(locked, 429, LOCKED);
    await expectDialectError(await twoFactor({ token, code: await totpCode(account.secret) }), 400, BAD_TOKEN);
    // A new login's challenge meets the same lock, even with the right code.
    const fresh = await twoFactorTokenOf(account.email);
    await expectDialectError(await twoFactor({ token: fresh, code: await totpCode(account.secret) }), 429, LOCKED);
  });

  it("shares the lock with /v1/login/mfa: guesses there count here", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const wrong = await wrongTotpCode(account.secret);
    for (let attempt = 0; attempt < 3; attempt++) {
      const { mfa_token } = await logInToMfa(account.email);
      expect((await completeMfa(mfa_token, { code: wrong })).status).toBe(400);
    }
    const token = await twoFactorTokenOf(account.email);
    await expectDialectError(await twoFactor({ token, code: wrong }), 401, BAD_CODE);
    await expectDialectError(await twoFactor({ token, code: wrong }), 429, LOCKED);
  });

  it("refuses an expired token (after 5 minutes) and an unknown or oversized one as INVALID_TWO_FACTOR_TOKEN", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const token = await twoFactorTokenOf(account.email);
    advanceClock(301);
    await expectDialectError(await twoFactor({ token, code: await totpCode(account.secret) }), 400, BAD_TOKEN);
    await expectDialectError(await twoFactor({ token: "x".repeat(43), code: "123456" }), 400, BAD_TOKEN);
    await expectDialectError(await twoFactor({ token: "x".repeat(1000), code: "123456" }), 400, BAD_TOKEN);
  });
});
