// Every failure on a BioEntrust path in BioEntrust's shape: `{"error"}` for refusals and its
// documented `{"status": "error", "message"}` for token problems and outages; 400, 404, 405, 413, 415,
// 429 and 503 included, never a problem document or a stack trace. The same gates stand behind it.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { DIALECT_PATHS } from "../src/config/dialect-paths";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { bioAccount, bioSignIn, RATE_LIMITED, UNAUTHORIZED } from "./support/dialect-bioentrust";
import { dialectRoutes, expectDialectError, expectGatedOrRefused } from "./support/dialects";
import { dropAllFaults, injectFault } from "./support/faults";
import { call } from "./support/http";

afterEach(dropAllFaults);

const signUpWith = (json: Record<string, unknown>) => call("POST", "/user/signup", { json });
const person = { first_name: "John", last_name: "Doe" };

describe("BioEntrust validation answers 400 {error} saying what is wrong", () => {
  it.each([
    ["no first_name", { last_name: "Doe", email: uniqueEmail(), password: PASSWORD }, "first_name is required"],
    [
      "a blank last_name",
      { ...person, last_name: " ", email: uniqueEmail(), password: PASSWORD },
      "last_name is required",
    ],
    ["no email", { ...person, password: PASSWORD }, "email is required"],
    ["a number for a password", { ...person, email: uniqueEmail(), password: 12345678 }, "password must be a string"],
    [
      "an address that is not one",
      { ...person, email: "john@", password: PASSWORD },
      "email is not a valid email address",
    ],
    [
      "a password over the limit",
      { ...person, email: uniqueEmail(), password: "x".repeat(2000) },
      "password must be at most 1024 characters",
    ],
  ])("sign-up with %s", async (_case, json, error) => {
    await expectDialectError(await signUpWith(json), 400, { error });
  });

  it("sign-in, verify-email and forgot-password without their fields", async () => {
    await expectDialectError(await call("POST", "/user/signin", { json: { email: uniqueEmail() } }), 400, {
      error: "password is required",
    });
    await expectDialectError(await call("POST", "/user/verify-email", { json: { otp: "123456" } }), 400, {
      error: "otp_request_id is required",
    });
    await expectDialectError(await call("POST", "/user/verify_email", { form: { otp_request_id: "x" } }), 400, {
      error: "otp is required",
    });
    await expectDialectError(await call("POST", "/user/forgot-password", { json: { password: "x" } }), 400, {
      error: "email is required",
    });
  });

  it("a code that is not digits is a wrong code: the document's 401", async () => {
    const json = { otp: "12 34 56", otp_request_id: crypto.randomUUID() };
    await expectDialectError(await call("POST", "/user/verify-email", { json }), 401, { error: "Signup Failed" });
    const huge = { otp: 1e21, otp_request_id: crypto.randomUUID() };
    await expectDialectError(await call("POST", "/user/verify-email", { json: huge }), 401, { error: "Signup Failed" });
  });
});

describe("BioEntrust bad bodies", () => {
  it("malformed JSON, a JSON array, a repeated form field: 400", async () => {
    const broken = await call("POST", "/user/signup", { body: '{"email": "x",', contentType: "application/json" });
    await expectDialectError(broken, 400, { error: "The request body is not valid JSON" });
    const array = await call("POST", "/user/signin", { body: "[]", contentType: "application/json" });
    await expectDialectError(array, 400, { error: "The request body must be a JSON object" });
    const body = `email=${encodeURIComponent(uniqueEmail())}&email=x%40example.com&password=whatever12`;
    const repeated = await call("POST", "/user/signin", { body, contentType: "application/x-www-form-urlencoded" });
    await expectDialectError(repeated, 400, { error: "email is repeated" });
  });

  it("a wrong content type: 415; a body over 16 KiB: 413", async () => {
    for (const path of ["/user/signup", "/user/signin", "/user/verify-email", "/user/forgot-password"]) {
      const text = await call("POST", path, { body: "email=x", contentType: "text/plain" });
      await expectDialectError(text, 415, { error: "Send application/json or application/x-www-form-urlencoded" });
      const huge = await call("POST", path, { json: { email: uniqueEmail(), padding: "x".repeat(20_000) } });
      await expectDialectError(huge, 413, { error: "The request body is too large" });
    }
  });
});

describe("BioEntrust token problems answer the document's 401", () => {
  it("no Authorization header, on every bearer route", async () => {
    for (const [method, path] of [
      ["GET", "/user/protected"],
      ["GET", "/user/refresh"],
      ["DELETE", "/user/signout"],
      ["POST", "/user/verify-sms"],
      ["POST", "/user/verify_sms"],
    ] as const) {
      await expectDialectError(await call(method, path), 401, UNAUTHORIZED);
    }
  });

  it("an expired access token", async () => {
    const { access } = await bioAccount();
    freezeClock();
    advanceClock(Number(env.ACCESS_TOKEN_TTL_SECONDS ?? 900) + 60);
    await expectDialectError(await call("GET", "/user/protected", { token: access }), 401, UNAUTHORIZED);
  });

  it("the wrong kind of token: a refresh token as access, an access token as refresh", async () => {
    const { access, refresh } = await bioAccount();
    await expectDialectError(await call("GET", "/user/protected", { token: refresh }), 401, UNAUTHORIZED);
    await expectDialectError(await call("GET", "/user/refresh", { token: access }), 401, UNAUTHORIZED);
    await expectDialectError(await call("DELETE", "/user/signout", { token: access }), 401, UNAUTHORIZED);
    // Nothing was ended by the refused sign-out.
    expect((await call("GET", "/user/protected", { token: access })).status).toBe(200);
  });
});

describe("BioEntrust's paths own their 405 (and 404 once /user/* is claimed)", () => {
  it("a method a path does not answer: 405 {error} with Allow", async () => {
    for (const [method, path, allow] of [
      ["GET", "/user/signup", "POST"],
      ["POST", "/user/home", "GET"],
      ["GET", "/user/signout", "DELETE"],
      ["POST", "/user/refresh", "GET"],
      ["GET", "/auth/reset-password", "POST"],
      ["PUT", "/user/reset-password/", "POST"],
    ] as const) {
      const response = await call(method, path);
      expect(response.headers.get("Allow")).toBe(allow);
      await expectDialectError(response, 405, { error: "Method not allowed" });
    }
  });

  const treeClaimed = (DIALECT_PATHS.bioentrust.paths as readonly string[]).includes("/user/*");
  it.skipIf(!treeClaimed)("an unknown path under /user: 404 {error}", async () => {
    await expectDialectError(await call("GET", "/user/nothing-here"), 404, { error: "Not found" });
    await expectDialectError(await call("POST", "/user/signup/"), 404, { error: "Not found" });
  });
});

describe("BioEntrust outages and limits", () => {
  it("storage failing mid-verification: 503 in the document's error shape, no details", async () => {
    const { email, password } = await bioAccount();
    await injectFault("bio_fail_session_insert", "BEFORE INSERT", "sessions");
    await expectDialectError(await bioSignIn(email, password), 503, {
      status: "error",
      message: "Service temporarily unavailable",
    });
  });

  it("the login lock of /v1 holds here: after 10 wrong passwords the right one is refused too", async () => {
    const { email } = await bioAccount();
    for (let attempt = 0; attempt < 10; attempt++) await bioSignIn(email, `wrong password ${attempt}`);
    await expectDialectError(await bioSignIn(email), 401, { error: "Invalid login credentials" });
  });
});

describe("every BioEntrust route is gated per IP or refuses anonymous callers first", { timeout: 120_000 }, () => {
  const routes = dialectRoutes({ name: "bioentrust", prefix: "" });

  it("is found from the router: both spellings of each path", () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`).sort();
    expect(keys).toEqual([
      "DELETE /user/signout",
      "GET /user/home",
      "GET /user/protected",
      "GET /user/refresh",
      "POST /auth/reset-password",
      "POST /user/forgot-password",
      "POST /user/reset-password",
      "POST /user/reset-password/",
      "POST /user/signin",
      "POST /user/signup",
      "POST /user/verify-email",
      "POST /user/verify-sms",
      "POST /user/verify_email",
      "POST /user/verify_sms",
    ]);
  });

  for (const { method, path } of routes) {
    // The greeting does no work and reads nothing: it is neither gated nor refused.
    if (path === "/user/home") continue;
    it(`${method} ${path}: the 61st anonymous request is BioEntrust's 429, or every one its 401`, async () => {
      await expectGatedOrRefused(method, path, {
        rateLimited: RATE_LIMITED,
        unauthenticated: UNAUTHORIZED,
        expected: path === "/user/protected" ? "refused" : "gated",
      });
    });
  }
});
