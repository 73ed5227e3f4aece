// Dialect B, Bookings: the document's own example requests answer its own responses (register, the
// token pair, refresh, verify), in simplejwt's shapes, and a Bookings account is an account of the
// one core (/v1 logs it in, /v1/me and /v1/token/verify accept its tokens).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, introspect, logIn, me, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import {
  type BookingsPair,
  bookingsAccount,
  bookingsLogIn,
  bookingsRegister,
  JWT,
  NO_ACCOUNT,
  registerBody,
  TOKEN_NOT_VALID,
  userIdOf,
  userRowOf,
} from "./support/dialect-bookings";
import { expectDialectError } from "./support/dialects";
import { call, readJson } from "./support/http";
import { latestCode, mailTo } from "./support/mail";
import { signUpWithTotp } from "./support/totp";

const DOCUMENT_REGISTER = (email: string) => ({
  first_name: "Jane",
  last_name: "Doe",
  address: "12 Example Street, Kigali",
  email,
  phone_no: "+250 788 123 456",
});

async function liveSessions(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from sessions where user_id = ? and revoked_at is null")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("Bookings: /auth/register/", () => {
  it("answers the document's 201 to its example (no password) and stores the profile, the phone unverified", async () => {
    const email = uniqueEmail("jane");
    const response = await call("POST", "/auth/register/", { json: DOCUMENT_REGISTER(email) });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await readJson(response)).toEqual({ detail: "User created successfully" });
    expect(await userRowOf(email)).toEqual({
      first_name: "Jane",
      last_name: "Doe",
      address: "12 Example Street, Kigali",
      phone: "+250788123456",
      phone_verified: 0,
      email_verified: 0,
      password_hash: null,
    });
    // No session, and a code to set the password by.
    expect(await liveSessions(await userIdOf(email))).toBe(0);
    expect((await latestCode(email, "set_password")).code).toMatch(/^\d{6}$/);
  });

  it("a password-less account signs in with no password until its owner sets one with the mailed code", async () => {
    const email = uniqueEmail("setpw");
    await bookingsRegister({ email });
    await expectDialectError(await bookingsLogIn(email, ""), 400, { password: ["This field may not be blank."] });
    await expectDialectError(await bookingsLogIn(email, PASSWORD), 401, NO_ACCOUNT);
    const { code } = await latestCode(email, "set_password");
    const verified = await call("POST", "/auth/password/reset/verify", { json: { email, otp: code } });
    expect(verified.status).toBe(200);
    const { token } = await readJson<{ token: string }>(verified);
    const confirmed = await call("POST", "/auth/password/reset/confirm/", { json: { token, password: PASSWORD } });
    expect(await readJson(confirmed)).toEqual({ detail: "Password reset successfully" });
    expect((await bookingsLogIn(email)).status).toBe(200);
    // Setting it through the mailed code proved the address.
    expect(await userRowOf(email)).toMatchObject({ email_verified: 1 });
  });

  it("takes a form body as Django's parsers do, and an optional password, mailing a verification code", async () => {
    const email = uniqueEmail("form");
    const form = { ...registerBody({ email }), password: PASSWORD } as Record<string, string>;
    const response = await call("POST", "/auth/register/", { form });
    expect(response.status).toBe(201);
    expect(await readJson(response)).toEqual({ detail: "User created successfully" });
    expect((await mailTo(email, "verify_email")).length).toBe(1);
    expect(await liveSessions(await userIdOf(email))).toBe(0);
    // The test env verifies nothing first, so the password signs in at once.
    expect((await bookingsLogIn(email)).status).toBe(200);
  });

  it("answers DRF's field error for a taken address, registered through Bookings or /v1, and stores nothing", async () => {
    const { email } = await bookingsRegister();
    const account = await signUp();
    // With and without a password; an address however it is written (each address may try 3 times a minute).
    const attempts = [
      [email, PASSWORD],
      [account.email, undefined],
      [account.email.toUpperCase(), PASSWORD],
    ] as const;
    for (const [taken, password] of attempts) {
      const again = await call("POST", "/auth/register/", { json: registerBody({ email: taken, password }) });
      await expectDialectError(again, 400, { email: ["user with this email already exists."] });
    }
    // The account at the address is untouched: /v1's password still signs it in.
    expect((await logIn(account.email)).access_token).toMatch(JWT);
  });

  it("ignores unknown fields and stores none of them", async () => {
    const email = uniqueEmail("extras");
    const extras = {
      is_staff: true,
      is_superuser: "1",
      username: "sneaky",
      email_verified: true,
      phone: "+15555550999",
    };
    const response = await call("POST", "/auth/register/", { json: { ...registerBody({ email }), ...extras } });
    expect(response.status).toBe(201);
    const row = await env.DB.prepare("select username, email_verified, phone from users where email = ?")
      .bind(email)
      .first();
    expect(row).toEqual({ username: null, email_verified: 0, phone: "+15555550123" });
  });
});

describe("Bookings: /auth/token/", () => {
  it("answers the document's 200 {access, refresh} to its example, phone_number included", async () => {
    const { email } = await bookingsRegister({ password: PASSWORD });
    const response = await call("POST", "/auth/token/", {
      json: { email, phone_number: "+15555550123", password: PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await readJson<BookingsPair>(response);
    expect(Object.keys(body)).toEqual(["access", "refresh"]);
    expect(body.access).toMatch(JWT);
    expect(body.refresh).toEqual(expect.any(String));
    expect((await me(body.access)).status).toBe(200);
  });

  it("answers simplejwt's 401 for a wrong password and an unknown address alike", async () => {
    const { email } = await bookingsAccount();
    const wrong = await bookingsLogIn(email, "not the password at all");
    expect(wrong.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    await expectDialectError(wrong, 401, NO_ACCOUNT);
    await expectDialectError(await bookingsLogIn(uniqueEmail("nobody")), 401, NO_ACCOUNT);
  });

  it("takes a form body, and ignores a stale Bearer header and unknown fields", async () => {
    const { email, access } = await bookingsAccount();
    const response = await call("POST", "/auth/token/", {
      form: { email, password: PASSWORD, remember: "true" },
      token: access,
    });
    expect(response.status).toBe(200);
  });

  it("opens no session for an account with a second factor: simplejwt has no step to ask for it", async () => {
    const account = await signUpWithTotp();
    const before = await liveSessions(account.userId);
    const response = await bookingsLogIn(account.email);
    await expectDialectError(response, 403, {
      detail: "This account signs in with a second factor; use the main sign-in.",
    });
    expect(await liveSessions(account.userId)).toBe(before);
  });
});

describe("Bookings: /auth/token/refresh/", () => {
  it("answers the document's {access, refresh} to {refresh_token}: rotating, and a reused one ends the session", async () => {
    const first = await bookingsAccount();
    const response = await call("POST", "/auth/token/refresh/", { json: { refresh_token: first.refresh } });
    expect(response.status).toBe(200);
    const second = await readJson<BookingsPair>(response);
    expect(Object.keys(second)).toEqual(["access", "refresh"]);
    expect(second.refresh).not.toBe(first.refresh);
    expect(claimsOf(second.access).sid).toBe(claimsOf(first.access).sid);
    // simplejwt's own field name, with the rotated token.
    const third = await call("POST", "/auth/token/refresh/", { form: { refresh: second.refresh } });
    expect(third.status).toBe(200);
    // The first token comes back after its successor was used: reuse, and the family ends.
    const reused = await call("POST", "/auth/token/refresh/", { json: { refresh_token: first.refresh } });
    await expectDialectError(reused, 401, TOKEN_NOT_VALID);
    const { refresh } = await readJson<BookingsPair>(third);
    await expectDialectError(await call("POST", "/auth/token/refresh/", { json: { refresh } }), 401, TOKEN_NOT_VALID);
  });
});

describe("Bookings: /auth/token/verify/", () => {
  it("answers exactly {} to the document's {access_token}, and to simplejwt's {token}", async () => {
    const { access } = await bookingsAccount();
    const documented = await call("POST", "/auth/token/verify/", { json: { access_token: access } });
    expect(documented.status).toBe(200);
    expect(await documented.text()).toBe("{}");
    const simplejwt = await call("POST", "/auth/token/verify/", { form: { token: access } });
    expect(await readJson(simplejwt)).toEqual({});
  });

  it("refuses a token whose session ended (the /v1/token/verify denylist), and one that is not a token", async () => {
    const { access, refresh } = await bookingsAccount();
    expect((await call("POST", "/v1/logout", { token: access, json: { refresh_token: refresh } })).status).toBe(204);
    const revoked = await call("POST", "/auth/token/verify/", { json: { access_token: access } });
    await expectDialectError(revoked, 401, TOKEN_NOT_VALID);
    expect(await introspect(access)).toEqual({ active: false });
    await expectDialectError(
      await call("POST", "/auth/token/verify/", { json: { token: "a.b.c" } }),
      401,
      TOKEN_NOT_VALID,
    );
  });
});

describe("Bookings accounts are core accounts", () => {
  it("a Bookings account logs in through /v1/login, and its access token passes /v1/token/verify and /v1/me", async () => {
    const { email, access } = await bookingsAccount();
    const pair = await logIn(email);
    expect(claimsOf(pair.access_token).sub).toBe(claimsOf(access).sub);
    expect(await introspect(access)).toMatchObject({ active: true, sub: claimsOf(access).sub, email });
    expect(await readJson(await me(access))).toMatchObject({ email, first_name: "Ada", phone: "+15555550123" });
  });

  it("a /v1 account logs in through Bookings; a /v1 logout ends that session for Bookings' refresh", async () => {
    const account = await signUp();
    const response = await bookingsLogIn(account.email);
    const pair = await readJson<BookingsPair>(response);
    expect(claimsOf(pair.access).sub).toBe(account.userId);
    await call("POST", "/v1/logout", { token: pair.access });
    const refreshed = await call("POST", "/auth/token/refresh/", { json: { refresh_token: pair.refresh } });
    await expectDialectError(refreshed, 401, TOKEN_NOT_VALID);
  });
});

describe("Bookings: /auth/social/google-oauth2", () => {
  // Sign-in itself is tested against the fake identity provider in dialect-bookings-social.test.ts.
  it("answers other methods 405 on both spellings", async () => {
    for (const path of ["/auth/social/google-oauth2", "/auth/social/google-oauth2/"]) {
      const get = await call("GET", path);
      expect(get.headers.get("Allow")).toBe("POST");
      await expectDialectError(get, 405, { detail: 'Method "GET" not allowed.' });
    }
  });
});

describe("Bookings in /openapi.json", () => {
  it("lists every route under the bookings tag, with the document's answers", async () => {
    const document = await readJson<{ paths: Record<string, Record<string, { tags: string[]; responses: object }>> }>(
      await call("GET", "/openapi.json"),
    );
    const register = document.paths["/auth/register/"]?.post;
    expect(register?.tags).toEqual(["bookings"]);
    expect(Object.keys(register?.responses ?? {})).toEqual(expect.arrayContaining(["201", "400", "429"]));
    for (const path of ["/auth/token/", "/auth/password/reset/verify", "/auth/password/reset/confirm/"]) {
      expect(document.paths[path]?.post?.tags, path).toEqual(["bookings"]);
    }
  });
});
