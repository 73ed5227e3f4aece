// Every failure on a NAP path is NAP's models.ErrorResponse {message, debug, code = status}: bad
// fields, bad bodies, 405, 413, 415, 429 and 503, never a problem document or a stack trace; and the
// client-key knob (DIALECT_NAP_API_KEYS) refuses in the origin's {"error"} shape.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import {
  expectModel,
  expectNapError,
  LoginResultModel,
  napCall,
  napSession,
  napSignUp,
  napVerificationToken,
  SDK_HEADERS,
  signUpBody,
} from "./support/dialect-nap";
import { expectDialectError } from "./support/dialects";
import { dropAllFaults, injectFault } from "./support/faults";
import { APP_ORIGIN, call, callWith } from "./support/http";

afterEach(dropAllFaults);

const signup = (json: Record<string, unknown>) => napCall("POST", "/api/auth/signup", { json });
const verify = (token: unknown) => napCall("POST", "/api/auth/verify-email/verify", { json: { token } });

describe("NAP validation: 400 ErrorResponse saying what is wrong", () => {
  const base = () => signUpBody(uniqueEmail("nap-bad"));
  it.each([
    ["no email", { email: undefined }, "email is required"],
    ["an empty first name", { firstName: "  " }, "firstName is required"],
    ["no last name", { lastName: undefined }, "lastName is required"],
    ["no confirmPassword", { confirmPassword: undefined }, "confirmPassword is required"],
    ["passwords that differ", { confirmPassword: "another password" }, "confirmPassword does not match password"],
    [
      "a 7-character password",
      { password: "short12", confirmPassword: "short12" },
      "password must be at least 8 characters",
    ],
    [
      "a 33-character password",
      { password: "x".repeat(33), confirmPassword: "x".repeat(33) },
      "password must be at most 32 characters",
    ],
    ["a number for a password", { password: 12345678, confirmPassword: 12345678 }, "password must be a string"],
    ["an address that is not one", { email: "ada@" }, "email is not a valid email address"],
    ["a common password", { password: "password", confirmPassword: "password" }, /password/],
  ])("sign-up with %s", async (_case, changes, message) => {
    await expectNapError(await signup({ ...base(), ...changes }), 400, message);
  });

  it("an unknown invite token: the swagger's 401 (test/dialect-nap-orgs-signup.test.ts); nothing stored", async () => {
    const json = { ...base(), inviteToken: "inv_0123456789" };
    await expectNapError(await signup(json), 401, /invite token/);
    const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(json.email).first();
    expect(row).toBeNull();
  });

  it("login, send and verify without their required fields", async () => {
    await expectNapError(
      await napCall("POST", "/api/auth/login", { json: { email: uniqueEmail() } }),
      400,
      "password is required",
    );
    await expectNapError(
      await napCall("POST", "/api/auth/login", { json: { password: PASSWORD } }),
      400,
      "email is required",
    );
    await expectNapError(await napCall("POST", "/api/auth/verify-email/send", { json: {} }), 400, "email is required");
    await expectNapError(await verify(undefined), 400, "token is required");
    await expectNapError(await verify(42), 400, "token must be a string");
  });
});

describe("NAP: tokens that do not verify", () => {
  it("an unknown, a forged or an oversized token: 400, and the account stays unverified", async () => {
    const { userId } = await napSignUp();
    for (const token of ["unknown-token", "A".repeat(43), "x".repeat(1000)]) {
      await expectNapError(await verify(token), 400, "Invalid or expired token.");
    }
    const row = await env.DB.prepare("SELECT email_verified FROM users WHERE id = ?").bind(userId).first();
    expect(row).toEqual({ email_verified: 0 });
  });

  it("an expired link: 400", async () => {
    const { email } = await napSignUp();
    const token = await napVerificationToken(email);
    freezeClock();
    advanceClock((await getServiceContext(env)).config.otpTtlSeconds + 60);
    await expectNapError(await verify(token), 400, "Invalid or expired token.");
  });
});

describe("NAP bad bodies", () => {
  it("malformed JSON: 400", async () => {
    const response = await napCall("POST", "/api/auth/signup", {
      body: '{"email": "a',
      contentType: "application/json",
    });
    await expectNapError(response, 400, "The request body is not valid JSON");
  });

  it("a JSON array, and no body at all: 400", async () => {
    const array = await napCall("POST", "/api/auth/login", { body: "[]", contentType: "application/json" });
    await expectNapError(array, 400, "The request body must be a JSON object");
    const empty = await napCall("POST", "/api/auth/login", { contentType: "application/json" });
    await expectNapError(empty, 400, "The request body is not valid JSON");
  });

  it("a repeated form field: 400", async () => {
    const body = `email=${encodeURIComponent(uniqueEmail())}&email=b%40example.com&password=whatever12`;
    const response = await napCall("POST", "/api/auth/login", {
      body,
      contentType: "application/x-www-form-urlencoded",
    });
    await expectNapError(response, 400, "email is repeated");
  });

  it("a wrong content type, or none: 415", async () => {
    const plain = await napCall("POST", "/api/auth/verify-email/send", { body: "email=a", contentType: "text/plain" });
    await expectNapError(plain, 415, "Send the request as JSON.");
    const none = await napCall("POST", "/api/auth/verify-email/verify", { body: '{"token":"x"}' });
    await expectNapError(none, 415);
  });

  it("a body over 16 KiB: 413", async () => {
    const json = { ...signUpBody(uniqueEmail()), padding: "x".repeat(20_000) };
    await expectNapError(await signup(json), 413, "The request body is too large.");
  });
});

describe("NAP's paths own their 405", () => {
  it.each([
    ["GET", "/api/auth/signup", "POST"],
    ["PUT", "/api/auth/login", "POST"],
    ["GET", "/api/auth/refresh", "POST"],
    ["DELETE", "/api/auth/logout", "POST"],
    ["GET", "/api/auth/verify-email/send", "POST"],
    ["PATCH", "/api/auth/verify-email/verify", "POST"],
    ["POST", "/api/auth/flow/some-flow", "GET"],
  ])("%s %s: 405 ErrorResponse with Allow", async (method, path, allow) => {
    const response = await napCall(method, path);
    expect(response.headers.get("Allow")).toBe(allow);
    await expectNapError(response, 405, "Method not allowed.");
  });
});

describe("NAP outages and limits", () => {
  it("storage failing mid-login: 503 ErrorResponse, no details", async () => {
    const { email, password } = await napSession();
    await injectFault("nap_fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");
    const response = await napCall("POST", "/api/auth/login", { json: { email, password } });
    const body = await expectNapError(response, 503);
    expect(body).toEqual({
      message: "The service is temporarily unavailable; try again shortly.",
      debug: "temporary outage",
      code: 503,
    });
  });

  it("the login lock of /v1 holds here: after 10 wrong passwords the right one is refused too", async () => {
    const { email, password } = await napSession();
    for (let attempt = 0; attempt < 10; attempt++) {
      await napCall("POST", "/api/auth/login", { json: { email, password: `wrong password ${attempt}` } });
    }
    await expectNapError(await napCall("POST", "/api/auth/login", { json: { email, password } }), 401);
  });
});

describe("DIALECT_NAP_API_KEYS: client keys on every NAP path", () => {
  const KEYS = ["nap-client-key-0123456789", "nap-other-key-abcdefghij"];
  const keyed: Bindings = { ...env, DIALECT_NAP_API_KEYS: KEYS.join(",") };
  const send = (method: string, path: string, headers: Record<string, string>, json?: unknown) =>
    callWith(keyed, method, path, {
      headers: { ...SDK_HEADERS, ...headers },
      ...(json && method !== "GET" ? { json } : {}),
    });

  it("refuses a missing key and a wrong one with the origin's {error}, before any work", async () => {
    const email = uniqueEmail("nap-key");
    for (const [method, path] of [
      ["POST", "/api/auth/signup"],
      ["POST", "/api/auth/login"],
      ["GET", "/api/auth/flow/x"],
      ["POST", "/api/auth/refresh"],
      ["POST", "/api/auth/logout"],
      ["POST", "/api/auth/verify-email/send"],
      ["POST", "/api/auth/verify-email/verify"],
      ["GET", "/api/auth/login"],
    ] as const) {
      await expectDialectError(await send(method, path, {}, signUpBody(email)), 401, { error: "Missing API key" });
      const wrong = await send(method, path, { "X-NAP-API-Key": `${KEYS[0]}x` }, signUpBody(email));
      await expectDialectError(wrong, 401, { error: "Invalid API key" });
    }
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("admits either configured key; /v1 and the other dialects need none", async () => {
    const { email, password } = await napSession();
    for (const key of KEYS) {
      const login = await send("POST", "/api/auth/login", { "X-NAP-API-Key": key }, { email, password });
      await expectModel(login, 200, LoginResultModel);
    }
    const v1 = await callWith(keyed, "POST", "/v1/login", { json: { email, password } });
    expect(v1.status).toBe(200);
    const crema = await callWith(keyed, "POST", "/api/v1/auth", { json: { email, password } });
    expect(crema.status).toBe(200);
  });

  it("a CORS preflight needs no key and names X-NAP-API-Key among the allowed headers", async () => {
    const response = await callWith(keyed, "OPTIONS", "/api/auth/refresh", {
      headers: {
        Origin: APP_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-nap-api-key, x-nap-refresh-token, x-nap-session-token, content-type",
      },
    });
    expect(response.status).toBe(204);
    const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
    for (const header of ["x-nap-api-key", "x-nap-refresh-token", "x-nap-session-token"])
      expect(allowed).toContain(header);
  });

  it("without keys configured (the test env), none is asked for", async () => {
    const response = await call("GET", "/api/auth/flow/anything");
    await expectNapError(response, 400, "Flow not found");
  });
});
