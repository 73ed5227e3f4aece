// Bookings' password reset: /auth/password/reset/ mails the core's 6-digit code (404 for an address
// without an account, as the document promises, unless DIALECT_BOOKINGS_UNKNOWN_RESET=ok), verify
// trades the address and code for a single-use reset token (wrong guesses counted against the core's
// budget, an unknown address answered like a wrong code), and confirm sets the password and ends
// every session.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { logIn, me, PASSWORD, uniqueEmail } from "./support/accounts";
import {
  bookingsAccount,
  bookingsLogIn,
  confirmReset,
  guessesOf,
  NEW_PASSWORD,
  NO_ACCOUNT,
  requestReset,
  resetCodeFor,
  resetTokenFor,
  TOKEN_NOT_VALID,
  verifyOtp,
} from "./support/dialect-bookings";
import { expectDialectError } from "./support/dialects";
import { call, readJson } from "./support/http";
import { codeRowsOf, mailTo, wrongCode } from "./support/mail";
import { awaitFreshMinute } from "./support/throttle";

const OK_FOR_EVERY_ADDRESS = { ...env, DIALECT_BOOKINGS_UNKNOWN_RESET: "ok" };
const WRONG_OTP = { detail: "Invalid or expired OTP." };
const DEAD_TOKEN = { detail: "Invalid or expired token." };

describe("Bookings: /auth/password/reset/", () => {
  it("answers the document's 200 to its example and mails a 6-digit code", async () => {
    const { email } = await bookingsAccount();
    const response = await call("POST", "/auth/password/reset/", { json: { email } });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ detail: "An OTP email was sent to the user" });
    const [mail] = await mailTo(email, "reset_password");
    expect(mail?.code).toMatch(/^\d{6}$/);
  });

  it("answers the document's 404 for an address without an account, and DRF's 400 for one that is no address", async () => {
    const unknown = uniqueEmail("nobody");
    await expectDialectError(await requestReset(unknown), 404, { detail: "Not found." });
    expect(await mailTo(unknown)).toEqual([]);
    await expectDialectError(await requestReset("not-an-address"), 400, { email: ["Enter a valid email address."] });
  });

  it("with DIALECT_BOOKINGS_UNKNOWN_RESET=ok answers 200 for every address; only an account's gets mail", async () => {
    const unknown = uniqueEmail("nobody");
    const { email } = await bookingsAccount();
    for (const address of [unknown, email]) {
      const response = await requestReset(address, OK_FOR_EVERY_ADDRESS);
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({ detail: "An OTP email was sent to the user" });
    }
    expect(await mailTo(unknown)).toEqual([]);
    expect((await mailTo(email, "reset_password")).length).toBe(1);
  });
});

describe("Bookings: /auth/password/reset/verify", () => {
  it("trades the address and the right code for a single-use token, with or without the trailing slash", async () => {
    for (const path of ["/auth/password/reset/verify", "/auth/password/reset/verify/"]) {
      const { email, userId } = await bookingsAccount();
      const code = await resetCodeFor(email);
      const response = await verifyOtp(email, code, path);
      expect(response.status).toBe(200);
      const body = await readJson<{ detail: string; token: string }>(response);
      expect(Object.keys(body)).toEqual(["detail", "token"]);
      expect(body).toEqual({ detail: "OTP verified successfully", token: expect.stringMatching(/^[\w-]{22}$/) });
      // The mailed code is spent; the token names a fresh code of its own.
      const [mailed, exchanged] = await codeRowsOf(userId, "reset_password");
      expect(mailed?.consumed_at).toEqual(expect.any(Number));
      expect(exchanged).toMatchObject({ consumed_at: null, superseded_at: null });
      await expectDialectError(await verifyOtp(email, code, path), 400, WRONG_OTP);
    }
  });

  it("takes the code as a JSON number too, as DRF's CharField does", async () => {
    const { email } = await bookingsAccount();
    let code = await resetCodeFor(email);
    // A leading zero cannot survive as a number: ask again until the code has none (1 in 10 has one).
    while (code.startsWith("0")) code = await resetCodeFor(email);
    expect((await verifyOtp(email, Number(code))).status).toBe(200);
  });

  it("counts a wrong code against the core's budget; an unknown address answers the same and counts nothing", async () => {
    const { email, userId } = await bookingsAccount();
    const code = await resetCodeFor(email);
    await expectDialectError(await verifyOtp(email, wrongCode(code)), 400, WRONG_OTP);
    expect(await guessesOf(userId, "reset_password")).toBe(1);
    await expectDialectError(await verifyOtp(uniqueEmail("nobody"), code), 400, WRONG_OTP);
    // An account without a live code answers alike.
    const other = await bookingsAccount();
    await expectDialectError(await verifyOtp(other.email, code), 400, WRONG_OTP);
    expect(await guessesOf(other.userId, "reset_password")).toBeNull();
  });

  it("refuses the right code once 10 guesses were spent over two codes: 429 in DRF's words, nothing reset", async () => {
    await awaitFreshMinute(20_000);
    const { email, userId } = await bookingsAccount();
    for (const _ of [1, 2]) {
      const code = await resetCodeFor(email);
      for (let guess = 0; guess < 5; guess += 1) {
        await expectDialectError(await verifyOtp(email, wrongCode(code)), 400, WRONG_OTP);
      }
    }
    const right = await resetCodeFor(email);
    const refused = await verifyOtp(email, right);
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(3000);
    await expectDialectError(refused, 429, {
      detail: `Request was throttled. Expected available in ${retryAfter} seconds.`,
    });
    expect(await guessesOf(userId, "reset_password")).toBe(11);
    expect((await bookingsLogIn(email)).status).toBe(200);
  }, 60_000);
});

describe("Bookings: /auth/password/reset/confirm/", () => {
  it("sets the password with verify's token, ends every session, and refuses the token replayed", async () => {
    const account = await bookingsAccount();
    const other = await logIn(account.email);
    const token = await resetTokenFor(account.email, await resetCodeFor(account.email));
    const response = await confirmReset({ token, password: NEW_PASSWORD });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ detail: "Password reset successfully" });
    // Every session ended, Bookings' and /v1's alike.
    expect((await me(account.access)).status).toBe(401);
    expect((await me(other.access_token)).status).toBe(401);
    const refreshed = await call("POST", "/auth/token/refresh/", { json: { refresh_token: account.refresh } });
    await expectDialectError(refreshed, 401, TOKEN_NOT_VALID);
    await expectDialectError(await bookingsLogIn(account.email, PASSWORD), 401, NO_ACCOUNT);
    expect((await logIn(account.email, NEW_PASSWORD)).access_token).toEqual(expect.any(String));
    await expectDialectError(await confirmReset({ token, password: "yet another passphrase" }), 400, DEAD_TOKEN);
  });

  it("sets the password with {email, otp, password} in one step; a refused password leaves the code unspent", async () => {
    const { email } = await bookingsAccount();
    const code = await resetCodeFor(email);
    await expectDialectError(await confirmReset({ email, otp: code, password: "short" }), 400, {
      password: ["This password is too short. It must contain at least 8 characters."],
    });
    const response = await confirmReset({ email, otp: code, password: NEW_PASSWORD });
    expect(await readJson(response)).toEqual({ detail: "Password reset successfully" });
    expect((await bookingsLogIn(email, NEW_PASSWORD)).status).toBe(200);
    await expectDialectError(await confirmReset({ email, otp: code, password: PASSWORD }), 400, WRONG_OTP);
  });

  it("refuses a token that was never issued, and a reset token on another account's address", async () => {
    await expectDialectError(
      await confirmReset({ token: "AAAAAAAAAAAAAAAAAAAAAA", password: NEW_PASSWORD }),
      400,
      DEAD_TOKEN,
    );
    const victim = await bookingsAccount();
    const attacker = await bookingsAccount();
    const code = await resetCodeFor(attacker.email);
    // The attacker's code names the attacker's account only.
    await expectDialectError(
      await confirmReset({ email: victim.email, otp: code, password: NEW_PASSWORD }),
      400,
      WRONG_OTP,
    );
    expect((await bookingsLogIn(victim.email)).status).toBe(200);
  });
});
