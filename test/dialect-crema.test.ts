// Dialect A, crema: the document's own example requests answer its own responses, on its /api/v1/…
// paths and the origin's /api/…, and a crema account is an account of the one core (/v1 logs it in,
// /v1/token/verify accepts its tokens). Its sessions keep one refresh token for life.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, introspect, logIn, me, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { type CremaTokens, cremaSignUp, expectDialectError } from "./support/dialects";
import { call, callWith, expectProblem, readJson, UUID } from "./support/http";
import { signUpWithTotp } from "./support/totp";

/** "2020-09-20T04:58:32": ISO 8601 to the second, without a zone, as the document shows. */
const CREMA_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

async function sessionRow(sessionId: string) {
  return env.DB.prepare("SELECT rotates_refresh_token, revoked_at FROM sessions WHERE id = ?")
    .bind(sessionId)
    .first<{ rotates_refresh_token: number; revoked_at: number | null }>();
}

describe("crema: Register User (POST /api/v1/users)", () => {
  it("answers the document's 200 {token, refresh_token} to its example, and the account signs in at once", async () => {
    const email = uniqueEmail("jose");
    const response = await call("POST", "/api/v1/users", { json: { name: "jose", email, password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await readJson<CremaTokens>(response);
    expect(Object.keys(body)).toEqual(["token", "refresh_token"]);
    expect(body.token).toMatch(JWT);
    expect(body.refresh_token).toEqual(expect.any(String));
    expect((await me(body.token)).status).toBe(200);
  });

  it("is also served at the origin's /api/users, with a form body", async () => {
    const email = uniqueEmail("form");
    const response = await call("POST", "/api/users", { form: { name: "jose", email, password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(Object.keys(await readJson(response))).toEqual(["token", "refresh_token"]);
  });

  it("answers the document's 400 for a taken address, on either path", async () => {
    const { email } = await cremaSignUp();
    for (const path of ["/api/v1/users", "/api/users"]) {
      const again = await call("POST", path, { json: { name: "other", email, password: PASSWORD } });
      await expectDialectError(again, 400, { error: "A user with that email already exists." });
    }
  });

  it("ignores unknown fields and stores none of them", async () => {
    const email = uniqueEmail("extras");
    const extras = { username: "sneaky", phone: "+15555550100", email_verified: true, is_admin: "1" };
    const response = await call("POST", "/api/v1/users", {
      json: { name: "jose", email, password: PASSWORD, ...extras },
    });
    expect(response.status).toBe(200);
    const { token } = await readJson<CremaTokens>(response);
    const user = await readJson(await me(token));
    expect(user).toMatchObject({ email, name: "jose", username: null, phone: null, email_verified: false });
  });

  it("opens a session even where /v1 sign-ups must verify first: the origin never verified", async () => {
    const required = { ...env, EMAIL_VERIFICATION: "required" };
    const email = uniqueEmail("unverified");
    const response = await callWith(required, "POST", "/api/v1/users", {
      json: { name: "jose", email, password: PASSWORD },
    });
    expect(response.status).toBe(200);
    const login = await callWith(required, "POST", "/api/v1/auth", { json: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    // /v1 keeps its own rule for the same account.
    await expectProblem(
      await callWith(required, "POST", "/v1/login", { json: { email, password: PASSWORD } }),
      403,
      "email_not_verified",
    );
  });
});

describe("crema: Login User (POST /api/v1/auth)", () => {
  it("takes the email in `name`, as the document's table has it, and answers {token, refresh_token}", async () => {
    const { email } = await cremaSignUp();
    const response = await call("POST", "/api/v1/auth", { json: { name: email, password: PASSWORD } });
    expect(response.status).toBe(200);
    const body = await readJson<CremaTokens>(response);
    expect(Object.keys(body)).toEqual(["token", "refresh_token"]);
    expect(body.token).toMatch(JWT);
  });

  it("takes `email` as the origin's SPA sends it, at /api/auth, JSON or form", async () => {
    const { email } = await cremaSignUp();
    for (const options of [{ json: { email, password: PASSWORD } }, { form: { email, password: PASSWORD } }]) {
      const response = await call("POST", "/api/auth", options);
      expect(response.status).toBe(200);
    }
  });

  it("answers the document's 400 for a wrong password and for an unknown address alike", async () => {
    const { email } = await cremaSignUp();
    const wrong = await call("POST", "/api/v1/auth", { json: { email, password: "not the password at all" } });
    await expectDialectError(wrong, 400, { error: "Invalid credentials!" });
    const unknown = await call("POST", "/api/v1/auth", { json: { email: uniqueEmail("nobody"), password: PASSWORD } });
    await expectDialectError(unknown, 400, { error: "Invalid credentials!" });
  });

  it("opens no session for an account with a second factor: crema has no step to ask for it", async () => {
    const account = await signUpWithTotp();
    const response = await call("POST", "/api/v1/auth", { json: { email: account.email, password: PASSWORD } });
    await expectDialectError(response, 400, {
      error: "This account signs in with a second factor; use the main sign-in.",
    });
  });

  it("ignores extras an old client sends with a login (a stale Bearer header, unknown fields)", async () => {
    const { email, token } = await cremaSignUp();
    const response = await call("POST", "/api/v1/auth", { json: { email, password: PASSWORD, remember: true }, token });
    expect(response.status).toBe(200);
  });
});

describe("crema: Auth User (GET /api/v1/auth)", () => {
  it("answers the document's six fields, in its order, times to the second without a zone", async () => {
    const { email, token } = await cremaSignUp({ name: "jose" });
    for (const path of ["/api/v1/auth", "/api/auth"]) {
      const response = await call("GET", path, { token });
      expect(response.status).toBe(200);
      const body = await readJson(response);
      expect(Object.keys(body)).toEqual(["created_on", "id", "email", "email_verified_at", "updated_on", "name"]);
      expect(body).toMatchObject({ email, email_verified_at: null, name: "jose" });
      // Ours are UUID strings, not the document's integers (README, "Dialects").
      expect(body.id).toMatch(UUID);
      expect(body.created_on).toMatch(CREMA_TIME);
      expect(body.updated_on).toMatch(CREMA_TIME);
    }
  });
});

describe("crema accounts are core accounts", () => {
  it("a crema account logs in through /v1/login, and its access token passes /v1/token/verify", async () => {
    const { email, token } = await cremaSignUp();
    const pair = await logIn(email);
    expect(claimsOf(pair.access_token).sub).toBe(claimsOf(token).sub);
    expect(await introspect(token)).toMatchObject({ active: true, sub: claimsOf(token).sub, email });
  });

  it("a /v1 account logs in through crema, and crema's user is /v1/me's", async () => {
    const account = await signUp({ name: "Ada" });
    const response = await call("POST", "/api/v1/auth", { json: { email: account.email, password: PASSWORD } });
    const { token } = await readJson<CremaTokens>(response);
    const crema = await readJson(await call("GET", "/api/v1/auth", { token }));
    expect(crema).toMatchObject({ id: account.userId, email: account.email, name: "Ada" });
  });
});

describe("crema: refresh and logout (the origin's /api/refresh and /api/logout)", () => {
  it("refresh answers {access_token}: a new access token for the same session, which never rotates", async () => {
    const { token, refresh_token } = await cremaSignUp();
    const sid = claimsOf(token).sid;
    expect(await sessionRow(sid)).toMatchObject({ rotates_refresh_token: 0 });
    for (let round = 0; round < 2; round++) {
      // The same refresh token every time: this client never stores a new one.
      const response = await call("POST", "/api/refresh", { token: refresh_token });
      expect(response.status).toBe(200);
      const body = await readJson<{ access_token: string }>(response);
      expect(Object.keys(body)).toEqual(["access_token"]);
      expect(body.access_token).not.toBe(token);
      expect(claimsOf(body.access_token).sid).toBe(sid);
      expect((await call("GET", "/api/v1/auth", { token: body.access_token })).status).toBe(200);
    }
  });

  it("logout with the access token answers {message} and ends the session: refresh is then refused", async () => {
    const { token, refresh_token } = await cremaSignUp();
    const response = await call("POST", "/api/logout", { token });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ message: expect.any(String) });
    expect(await sessionRow(claimsOf(token).sid)).toMatchObject({ revoked_at: expect.any(Number) });
    await expectDialectError(await call("POST", "/api/refresh", { token: refresh_token }), 401, {
      msg: "Token has been revoked",
    });
    await expectDialectError(await call("GET", "/api/v1/auth", { token }), 401, { msg: "Token has been revoked" });
    expect(await introspect(token)).toEqual({ active: false });
  });
});
