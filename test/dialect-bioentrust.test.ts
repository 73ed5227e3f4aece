// Dialect E, BioEntrust: the document's own example requests answer its own responses on its /user/…
// paths (both spellings where it spells a path two ways), JSON and form bodies alike, and the state
// each step leaves in D1. Its sessions keep one refresh token for life.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, PASSWORD, uniqueEmail } from "./support/accounts";
import {
  type BioLoggedIn,
  bioAccount,
  bioSignIn,
  bioSignUp,
  bioVerifyEmail,
  sessionRow,
  UNAUTHORIZED,
  userRow,
} from "./support/dialect-bioentrust";
import { expectDialectError } from "./support/dialects";
import { call, callWith, readJson, UUID } from "./support/http";
import { codeRow, latestCode, mailTo } from "./support/mail";

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

function expectLoggedIn(body: BioLoggedIn): void {
  expect(Object.keys(body)).toEqual(["message", "token"]);
  expect(body.message).toBe("Logged In");
  expect(Object.keys(body.token)).toEqual(["access", "refresh"]);
  expect(body.token.access).toMatch(JWT);
  expect(body.token.refresh).toEqual(expect.any(String));
}

describe("BioEntrust: GET /user/home", () => {
  it("answers the document's welcome", async () => {
    const response = await call("GET", "/user/home");
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ new_data: "Welcome to BioEntrust Auth server" });
  });

  it("names the product DIALECT_BIOENTRUST_PRODUCT_NAME names", async () => {
    const renamed = { ...env, DIALECT_BIOENTRUST_PRODUCT_NAME: "Acme" };
    const response = await callWith(renamed, "GET", "/user/home");
    expect(await readJson(response)).toEqual({ new_data: "Welcome to Acme Auth server" });
  });
});

describe("BioEntrust: POST /user/signup", () => {
  it("refuses the document's own example: password123 is among the most common passwords", async () => {
    const json = { first_name: "John", last_name: "Doe", email: uniqueEmail("john"), password: "password123" };
    await expectDialectError(await call("POST", "/user/signup", { json }), 400, {
      error: "Password is too common; choose another",
    });
    expect(await env.DB.prepare("select 1 from users where email = ?").bind(json.email).first()).toBeNull();
  });

  it("answers {otp_request_id, response: 'otp sent'} and mails the code; the account waits unverified", async () => {
    const email = uniqueEmail("john");
    const json = { first_name: "John", last_name: "Doe", email, password: PASSWORD };
    const response = await call("POST", "/user/signup", { json });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toEqual({ otp_request_id: expect.stringMatching(UUID), response: "otp sent" });
    expect(await mailTo(email, "verify_email")).toHaveLength(1);
    const user = await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
    expect(await userRow(user?.id ?? "")).toMatchObject({
      email,
      email_verified: 0,
      first_name: "John",
      last_name: "Doe",
      name: null,
    });
    expect(await codeRow(body.otp_request_id as string)).toMatchObject({ purpose: "verify_email", target: email });
    // No session before the code comes back.
    expect(await env.DB.prepare("select count(*) n from sessions where user_id = ?").bind(user?.id).first()).toEqual({
      n: 0,
    });
  });

  it("takes a form body too, and ignores and stores no unknown field", async () => {
    const email = uniqueEmail("form");
    const form = {
      first_name: "Ada",
      last_name: "L",
      email,
      password: PASSWORD,
      username: "sneaky",
      phone: "+15555550100",
    };
    const response = await call("POST", "/user/signup", { form });
    expect(response.status).toBe(200);
    const user = await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
    expect(await userRow(user?.id ?? "")).toMatchObject({ username: null, phone: null, first_name: "Ada" });
  });

  it("answers the document's 400 for a short password and its 409 for a verified address", async () => {
    const short = { first_name: "John", last_name: "Doe", email: uniqueEmail(), password: "short" };
    await expectDialectError(await call("POST", "/user/signup", { json: short }), 400, {
      error: "Password should be more than 7 characters",
    });
    const { email } = await bioAccount();
    const again = { first_name: "Other", last_name: "Person", email, password: `${PASSWORD} 2` };
    await expectDialectError(await call("POST", "/user/signup", { json: again }), 409, {
      error: "Email address already in use",
    });
  });

  it("an address that never came back verified signs up again where nothing signs unverified accounts in", async () => {
    // /v1 requires verification and no dialect signs unverified accounts in: the pending one is replaced.
    const strict = { ...env, EMAIL_VERIFICATION: "required", DIALECTS: "bioentrust" };
    const email = uniqueEmail("again");
    const signUpWith = (password: string) =>
      callWith(strict, "POST", "/user/signup", { json: { first_name: "J", last_name: "D", email, password } });
    const first = await readJson<{ otp_request_id: string }>(await signUpWith(PASSWORD));
    const firstCode = (await latestCode(email, "verify_email")).code;
    const second = await signUpWith(`${PASSWORD} again`);
    expect(second.status).toBe(200);
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(second);
    // The first code is void; the second one signs in with the second password.
    const verify = (requestId: string, otp: string) =>
      callWith(strict, "POST", "/user/verify-email", { json: { otp, otp_request_id: requestId } });
    await expectDialectError(await verify(first.otp_request_id, firstCode), 401, { error: "Signup Failed" });
    expect((await verify(otp_request_id, (await latestCode(email, "verify_email")).code)).status).toBe(200);
    const signIn = await callWith(strict, "POST", "/user/signin", { json: { email, password: `${PASSWORD} again` } });
    expect(signIn.status).toBe(200);
  });

  it("refuses it (409) where a surface signs unverified accounts in: that account may be in use", async () => {
    const first = await bioSignUp();
    const again = await call("POST", "/user/signup", {
      json: { first_name: "J", last_name: "D", email: first.email, password: `${PASSWORD} again` },
    });
    await expectDialectError(again, 409, { error: "Email address already in use" });
    expect((await bioVerifyEmail(first)).status).toBe(200);
  });
});

describe("BioEntrust: POST /user/verify-email and /user/verify_email", () => {
  it("answers the document's Logged In pair at both spellings, JSON and form, and verifies the address", async () => {
    for (const path of ["/user/verify-email", "/user/verify_email"]) {
      const pending = await bioSignUp();
      const response = await bioVerifyEmail(pending, path);
      expect(response.status).toBe(200);
      const body = await readJson<BioLoggedIn>(response);
      expectLoggedIn(body);
      expect(claimsOf(body.token.access)).toMatchObject({ sub: pending.userId, email_verified: true });
      expect(await userRow(pending.userId)).toMatchObject({ email_verified: 1 });
      expect(await sessionRow(claimsOf(body.token.access).sid)).toMatchObject({ rotates_refresh_token: 0 });
    }
    const pending = await bioSignUp();
    const form = { otp: pending.code, otp_request_id: pending.requestId };
    expect((await call("POST", "/user/verify_email", { form })).status).toBe(200);
  });

  it("takes the code as a JSON number too, its leading zeros restored (the origin compared int())", async () => {
    const pending = await bioSignUp();
    const json = { otp: Number(pending.code), otp_request_id: pending.requestId };
    expect((await call("POST", "/user/verify-email", { json })).status).toBe(200);
  });

  it("answers the document's 401 Signup Failed to the document's example request (an unknown id)", async () => {
    const response = await call("POST", "/user/verify-email", {
      json: { otp: "123456", otp_request_id: "some_unique_id" },
    });
    await expectDialectError(response, 401, { error: "Signup Failed" });
  });
});

describe("BioEntrust: POST /user/signin", () => {
  it("answers the document's 401 to its example (no such account), and Logged In for a real one", async () => {
    const example = await call("POST", "/user/signin", {
      json: { email: "john.doe@example.com", password: "password123" },
    });
    await expectDialectError(example, 401, { error: "Invalid login credentials" });
    const { email } = await bioAccount();
    for (const options of [{ json: { email, password: PASSWORD } }, { form: { email, password: PASSWORD } }]) {
      const response = await call("POST", "/user/signin", options);
      expect(response.status).toBe(200);
      expectLoggedIn(await readJson<BioLoggedIn>(response));
    }
  });

  it("answers the same 401 for a wrong password and an unknown address", async () => {
    const { email } = await bioAccount();
    await expectDialectError(await bioSignIn(email, "not the password at all"), 401, {
      error: "Invalid login credentials",
    });
    await expectDialectError(await bioSignIn(uniqueEmail("nobody")), 401, { error: "Invalid login credentials" });
  });

  it("an address not yet verified does not sign in, even with the right password", async () => {
    const { email } = await bioSignUp();
    await expectDialectError(await bioSignIn(email), 401, {
      error: "Email address not verified; sign up again for a new code",
    });
  });
});

describe("BioEntrust: GET /user/protected, GET /user/refresh, DELETE /user/signout", () => {
  it("protected data for the access token; the document's 401 without one", async () => {
    const { access } = await bioAccount();
    const response = await call("GET", "/user/protected", { token: access });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ new_data: "Protected data" });
    await expectDialectError(await call("GET", "/user/protected"), 401, UNAUTHORIZED);
  });

  it("refresh answers {token: {access}} for the same session, and the refresh token never rotates", async () => {
    const { access, refresh } = await bioAccount();
    const sid = claimsOf(access).sid;
    for (let round = 0; round < 3; round++) {
      const response = await call("GET", "/user/refresh", { token: refresh });
      expect(response.status).toBe(200);
      const body = await readJson<{ token: { access: string } }>(response);
      expect(Object.keys(body)).toEqual(["token"]);
      expect(Object.keys(body.token)).toEqual(["access"]);
      expect(claimsOf(body.token.access).sid).toBe(sid);
      expect((await call("GET", "/user/protected", { token: body.token.access })).status).toBe(200);
    }
  });

  it("signout with the refresh token ends the session, its access tokens included", async () => {
    const { access, refresh } = await bioAccount();
    const response = await call("DELETE", "/user/signout", { token: refresh });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ message: "Signed out successfully" });
    expect(await sessionRow(claimsOf(access).sid)).toMatchObject({ revoked_at: expect.any(Number) });
    await expectDialectError(await call("GET", "/user/protected", { token: access }), 401, UNAUTHORIZED);
    await expectDialectError(await call("GET", "/user/refresh", { token: refresh }), 401, UNAUTHORIZED);
    // Signing out twice is refused: the session is already over.
    await expectDialectError(await call("DELETE", "/user/signout", { token: refresh }), 401, UNAUTHORIZED);
  });
});
