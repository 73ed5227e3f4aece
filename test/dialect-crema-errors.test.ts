// Every failure on a crema path in crema's shape: `{"error"}` for its views' refusals, Flask-JWT-
// Extended's `{"msg"}` for token problems, 404/405/413/415/429/503 included; never a problem document
// or a stack trace. The same gates and login lock as /v1 stand behind it.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { cremaSignUp, dialectRoutes, expectDialectError, expectGatedOrRefused } from "./support/dialects";
import { dropAllFaults, injectFault } from "./support/faults";
import { call } from "./support/http";

afterEach(dropAllFaults);

const register = (json: Record<string, unknown>) => call("POST", "/api/v1/users", { json });

describe("crema validation answers 400 {error} saying what is wrong", () => {
  it.each([
    ["no name", { email: uniqueEmail(), password: PASSWORD }, "name is required"],
    ["a blank name", { name: "  ", email: uniqueEmail(), password: PASSWORD }, "name is required"],
    ["no email", { name: "jose", password: PASSWORD }, "email is required"],
    [
      "a number for a password",
      { name: "jose", email: uniqueEmail(), password: 12345678 },
      "password must be a string",
    ],
    [
      "an address that is not one",
      { name: "jose", email: "jose@", password: PASSWORD },
      "email is not a valid email address",
    ],
    [
      "a short password",
      { name: "jose", email: uniqueEmail(), password: "short" },
      "password must be at least 8 characters",
    ],
  ])("sign-up with %s", async (_case, json, error) => {
    await expectDialectError(await register(json), 400, { error });
  });

  it("login without a password, or without any address", async () => {
    await expectDialectError(await call("POST", "/api/v1/auth", { json: { email: uniqueEmail() } }), 400, {
      error: "password is required",
    });
    await expectDialectError(await call("POST", "/api/auth", { form: { password: PASSWORD } }), 400, {
      error: "email is required",
    });
  });
});

describe("crema bad bodies", () => {
  it("malformed JSON: 400", async () => {
    const response = await call("POST", "/api/v1/users", { body: '{"name": "jose",', contentType: "application/json" });
    await expectDialectError(response, 400, { error: "The request body is not valid JSON" });
  });

  it("a JSON array instead of an object: 400", async () => {
    const response = await call("POST", "/api/v1/auth", { body: "[]", contentType: "application/json" });
    await expectDialectError(response, 400, { error: "The request body must be a JSON object" });
  });

  it("a repeated form field: 400", async () => {
    const body = `email=${encodeURIComponent(uniqueEmail())}&email=x%40example.com&password=whatever12`;
    const response = await call("POST", "/api/auth", { body, contentType: "application/x-www-form-urlencoded" });
    await expectDialectError(response, 400, { error: "email is repeated" });
  });

  it("a wrong content type: 415", async () => {
    const response = await call("POST", "/api/v1/users", { body: "name=jose", contentType: "text/plain" });
    await expectDialectError(response, 415, { error: "Send application/json or application/x-www-form-urlencoded." });
  });

  it("a body over 16 KiB: 413", async () => {
    const json = { name: "jose", email: uniqueEmail(), password: PASSWORD, padding: "x".repeat(20_000) };
    await expectDialectError(await register(json), 413, { error: "The request body is too large." });
  });
});

describe("crema token problems answer 401 {msg} in Flask-JWT-Extended's words", () => {
  it("no Authorization header, on every bearer route", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/auth"],
      ["GET", "/api/auth"],
      ["POST", "/api/refresh"],
      ["POST", "/api/logout"],
    ] as const) {
      await expectDialectError(await call(method, path), 401, { msg: "Missing Authorization Header" });
    }
  });

  it("an expired access token", async () => {
    const { token } = await cremaSignUp();
    freezeClock();
    advanceClock(Number(env.ACCESS_TOKEN_TTL_SECONDS ?? 900) + 60);
    await expectDialectError(await call("GET", "/api/v1/auth", { token }), 401, { msg: "Token has expired" });
  });

  it("a token that is not ours, and an unknown refresh token", async () => {
    await expectDialectError(await call("GET", "/api/auth", { token: "not.a.token" }), 401, { msg: "Invalid token" });
    await expectDialectError(await call("POST", "/api/refresh", { token: "unknown-refresh-token" }), 401, {
      msg: "Token has been revoked",
    });
  });

  it("an access token sent to refresh is not a refresh token", async () => {
    const { token } = await cremaSignUp();
    await expectDialectError(await call("POST", "/api/refresh", { token }), 401, { msg: "Token has been revoked" });
  });
});

describe("crema's paths own their 404 and 405", () => {
  it("a method a path does not answer: 405 {error} with Allow", async () => {
    const users = await call("GET", "/api/v1/users");
    expect(users.headers.get("Allow")).toBe("POST");
    await expectDialectError(users, 405, { error: "Method not allowed." });
    const auth = await call("DELETE", "/api/auth");
    expect(auth.headers.get("Allow")).toBe("GET, POST");
    await expectDialectError(auth, 405, { error: "Method not allowed." });
  });

  it("an unknown path under the document's /api/v1: 404 {error}", async () => {
    await expectDialectError(await call("GET", "/api/v1/nothing-here"), 404, { error: "Not found." });
    await expectDialectError(await call("POST", "/api/v1/users/"), 404, { error: "Not found." });
  });
});

describe("crema outages and limits", () => {
  it("storage failing mid-sign-up: 503 {error}, no details", async () => {
    await injectFault("crema_fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");
    const json = { name: "jose", email: uniqueEmail(), password: PASSWORD };
    await expectDialectError(await register(json), 503, {
      error: "The service is temporarily unavailable; try again shortly.",
    });
  });

  it("the login lock of /v1 holds here: after 10 wrong passwords the right one is refused too", async () => {
    const { email } = await cremaSignUp();
    for (let attempt = 0; attempt < 10; attempt++) {
      await call("POST", "/api/v1/auth", { json: { email, password: `wrong password ${attempt}` } });
    }
    const right = await call("POST", "/api/v1/auth", { json: { email, password: PASSWORD } });
    await expectDialectError(right, 400, { error: "Invalid credentials!" });
  });
});

describe("every crema route is gated per IP or refuses anonymous callers first", { timeout: 120_000 }, () => {
  const routes = dialectRoutes({ name: "crema", prefix: "" });

  it("is found from the router: both spellings of each path", () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`).sort();
    expect(keys).toEqual([
      "GET /api/auth",
      "GET /api/v1/auth",
      "POST /api/auth",
      "POST /api/logout",
      "POST /api/refresh",
      "POST /api/users",
      "POST /api/v1/auth",
      "POST /api/v1/users",
    ]);
  });

  for (const { method, path } of routes) {
    it(`${method} ${path}: the 61st anonymous request is crema's 429, or every one is crema's 401`, async () => {
      await expectGatedOrRefused(method, path, {
        rateLimited: { error: "Too many requests; try again later." },
        unauthenticated: { msg: "Missing Authorization Header" },
        // Every POST performs an operation with a gate; GET /api/v1/auth, like GET /v1/me, needs a token.
        expected: method === "GET" ? "refused" : "gated",
      });
    });
  }
});
