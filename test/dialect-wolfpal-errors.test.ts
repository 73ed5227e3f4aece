// Every failure on a wolfpal path in wolfpal's shape: validation as `{codes, errors}` with the
// origin's codes (REQUIRED, INVALID, NOT_LONG_ENOUGH, INVALID_CHARACTERS), every other refusal as
// `{code, error}`, and its 404 handler's `{"code": 404, …}`; never a problem document or a stack trace.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { wolfpalFailureResponse } from "../src/dialects/wolfpal-errors";
import { ERROR_CODES } from "../src/errors";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { register, uniqueUsername, userRowOf } from "./support/dialect-wolfpal";
import { expectDialectError } from "./support/dialects";
import { call } from "./support/http";

const REQUIRED = (field: string, label: string): Record<string, [string, string]> => ({
  [field]: ["REQUIRED", `${label} is required.`],
});

/** `{codes, errors}` from `{field: [CODE, message]}`. */
function validation(fields: Record<string, [string, string]>) {
  const entries = Object.entries(fields);
  return {
    codes: Object.fromEntries(entries.map(([field, [code]]) => [field, code])),
    errors: Object.fromEntries(entries.map(([field, [, message]]) => [field, message])),
  };
}

describe("wolfpal validation: 400 {codes, errors}", () => {
  it.each([
    [
      "nothing at all",
      {},
      { ...REQUIRED("username", "Username"), ...REQUIRED("email", "Email"), ...REQUIRED("password", "Password") },
    ],
    [
      "empty strings (as an empty form field sends them)",
      { username: "", email: "", password: "" },
      { ...REQUIRED("username", "Username"), ...REQUIRED("email", "Email"), ...REQUIRED("password", "Password") },
    ],
    [
      "a short username",
      { username: "ab", email: uniqueEmail(), password: PASSWORD },
      { username: ["NOT_LONG_ENOUGH", "Username must be between 3 and 28 characters long."] },
    ],
    [
      "a username with other characters",
      { username: "wolf_pal.1", email: uniqueEmail(), password: PASSWORD },
      { username: ["INVALID_CHARACTERS", "Username must only contain numbers or letters."] },
    ],
    [
      "an address that is not one",
      { username: uniqueUsername(), email: "user@", password: PASSWORD },
      { email: ["INVALID", "Email is not a valid email address."] },
    ],
    [
      "a short password",
      { username: uniqueUsername(), email: uniqueEmail(), password: "short" },
      { password: ["NOT_LONG_ENOUGH", "Password must be at least 8 characters."] },
    ],
    [
      "a common password",
      { username: uniqueUsername(), email: uniqueEmail(), password: "password123" },
      { password: ["INVALID", "Password is too common; choose another."] },
    ],
    [
      "a number for a password",
      { username: uniqueUsername(), email: uniqueEmail(), password: 12345678 },
      { password: ["INVALID", "Password must be a string."] },
    ],
  ] as const)("register with %s", async (_case, json, fields) => {
    const response = await register(json);
    await expectDialectError(response, 400, validation(fields as Record<string, [string, string]>));
    if (typeof json === "object" && "email" in json && typeof json.email === "string" && json.email.includes(".")) {
      expect(await userRowOf(json.email)).toBeNull();
    }
  });

  it("login, two-factor and refresh name their missing fields", async () => {
    const cases = [
      ["/auth/login", { ...REQUIRED("email", "Email"), ...REQUIRED("password", "Password") }],
      ["/auth/two-factor", { ...REQUIRED("token", "Token"), ...REQUIRED("code", "Code") }],
      ["/auth/refresh", REQUIRED("refresh_token", "Refresh token")],
    ] as const;
    for (const [path, fields] of cases) {
      await expectDialectError(await call("POST", path, { json: {} }), 400, validation(fields));
      await expectDialectError(await call("POST", path, { form: {} }), 400, validation(fields));
    }
  });

  it("a mistyped field: 400 INVALID", async () => {
    const response = await call("POST", "/auth/login", { json: { email: ["a@example.com"], password: PASSWORD } });
    await expectDialectError(response, 400, validation({ email: ["INVALID", "Email must be a string."] }));
  });
});

describe("wolfpal bad bodies", () => {
  it("malformed JSON: 400 MALFORMED_BODY", async () => {
    const response = await call("POST", "/auth/register", {
      body: '{"username": "wolf",',
      contentType: "application/json",
    });
    await expectDialectError(response, 400, { code: "MALFORMED_BODY", error: "The request body is not valid JSON." });
  });

  it("a JSON array, and a repeated form field: 400 with the field named", async () => {
    const array = await call("POST", "/auth/login", { body: "[]", contentType: "application/json" });
    await expectDialectError(array, 400, validation({ body: ["INVALID", "The request body must be a JSON object."] }));
    const body = `email=${encodeURIComponent(uniqueEmail())}&email=x%40example.com&password=whatever12`;
    const repeated = await call("POST", "/auth/login", { body, contentType: "application/x-www-form-urlencoded" });
    await expectDialectError(repeated, 400, validation({ email: ["INVALID", "Email is repeated."] }));
  });

  it("a repeated form field named like an Object property stays a plain field", async () => {
    for (const name of ["constructor", "__proto__", "toString"]) {
      const body = `${name}=a&${name}=b&email=a%40example.com&password=whatever12`;
      const response = await call("POST", "/auth/login", { body, contentType: "application/x-www-form-urlencoded" });
      const label = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      const text = await response.clone().text();
      expect(text).toBe(JSON.stringify({ codes: { [name]: "INVALID" }, errors: { [name]: `${label} is repeated.` } }));
      expect(response.status).toBe(400);
    }
  });

  it("a wrong content type: 415; no content type at all: 415", async () => {
    const response = await call("POST", "/auth/refresh", { body: "refresh_token=x", contentType: "text/plain" });
    const refusal = {
      code: "UNSUPPORTED_MEDIA_TYPE",
      error: "Send application/json or application/x-www-form-urlencoded.",
    };
    await expectDialectError(response, 415, refusal);
    await expectDialectError(await call("POST", "/auth/login", { body: "email=a" }), 415, refusal);
  });

  it("a body over 16 KiB: 413", async () => {
    const json = { username: uniqueUsername(), email: uniqueEmail(), password: PASSWORD, padding: "x".repeat(20_000) };
    await expectDialectError(await register(json), 413, {
      code: "PAYLOAD_TOO_LARGE",
      error: "The request body is too large.",
    });
  });
});

describe("wolfpal's paths own their 405", () => {
  it("a method a path does not answer: 405 {code, error} with Allow", async () => {
    for (const path of ["/auth/register", "/auth/login", "/auth/two-factor", "/auth/refresh", "/auth/logout"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const response = await call(method, path);
        expect(response.headers.get("Allow")).toBe("POST");
        await expectDialectError(response, 405, {
          code: "METHOD_NOT_ALLOWED",
          error: "This route does not answer that method.",
        });
      }
    }
  });

  it("paths beside its own are not wolfpal's (Bookings' /auth/register/ is Bookings')", async () => {
    // Its paths are exact: what lies below them is left to the rest of the app.
    expect((await call("GET", "/auth/login/extra")).status).toBe(404);
  });
});

describe("wolfpal's failure map", () => {
  const app = new Hono();
  app.get("/:code", (c) => wolfpalFailureResponse(c, { code: c.req.param("code") as (typeof ERROR_CODES)[number] }));

  it("renders not_found as the origin's 404 handler did", async () => {
    await expectDialectError(await app.request("/not_found"), 404, {
      code: 404,
      error: "Whoops, this resource or route could not be found",
    });
  });

  it("renders every error code as {code, error} with a 4xx or 5xx, and Retry-After on each 429", async () => {
    for (const code of ERROR_CODES) {
      const response = await app.request(`/${code}`);
      expect(response.status, code).toBeGreaterThanOrEqual(400);
      expect(response.headers.get("Content-Type"), code).toMatch(/^application\/json\b/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body), code).toEqual(["code", "error"]);
      if (code !== "not_found") expect(body.code, code).toMatch(/^[A-Z_]+$/);
      if (response.status === 429) expect(response.headers.get("Retry-After"), code).toMatch(/^\d+$/);
    }
  });
});
