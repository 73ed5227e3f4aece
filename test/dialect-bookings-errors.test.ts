// Every failure on a Bookings path in Django REST Framework's shapes: `{"<field>": ["<message>"]}` for
// validation, `{"detail"}` for the rest (400 parse errors, 404, 405, 413, 415, 503), never a problem
// document or a stack trace.
import { afterEach, describe, expect, it } from "vitest";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { bookingsAccount, registerBody, userRowOf } from "./support/dialect-bookings";
import { expectDialectError } from "./support/dialects";
import { dropAllFaults, injectFault } from "./support/faults";
import { call } from "./support/http";

afterEach(dropAllFaults);

const REQUIRED = ["This field is required."];
const register = (json: unknown) => call("POST", "/auth/register/", { json });

describe("Bookings validation answers DRF's field-error map", () => {
  it("names every missing field of a register at once, and stores nothing", async () => {
    await expectDialectError(await register({ address: "somewhere" }), 400, {
      first_name: REQUIRED,
      last_name: REQUIRED,
      email: REQUIRED,
      phone_no: REQUIRED,
    });
  });

  it.each([
    ["a blank first name", { first_name: "  " }, { first_name: ["This field may not be blank."] }],
    ["a null last name", { last_name: null }, { last_name: ["This field may not be null."] }],
    ["a number for an email", { email: 42 }, { email: ["Not a valid string."] }],
    ["an address that is not one", { email: "jane@" }, { email: ["Enter a valid email address."] }],
    ["a phone number that is not E.164", { phone_no: "0788 123 456" }, { phone_no: ["Enter a valid phone number."] }],
    [
      "a first name too long",
      { first_name: "x".repeat(101) },
      { first_name: ["Ensure this field has no more than 100 characters."] },
    ],
    [
      "a short password",
      { password: "short" },
      { password: ["This password is too short. It must contain at least 8 characters."] },
    ],
    ["a common password", { password: "password123" }, { password: ["This password is too common."] }],
  ])("register with %s", async (_case, fields, errors) => {
    const json = registerBody(fields);
    await expectDialectError(await register(json), 400, errors);
    if (typeof json.email === "string") expect(await userRowOf(json.email)).toBeNull();
  });

  it("login, refresh, verify and reset name their missing fields (both spellings reported under simplejwt's)", async () => {
    const cases: [string, unknown, unknown][] = [
      ["/auth/token/", { email: uniqueEmail() }, { password: REQUIRED }],
      ["/auth/token/", { password: PASSWORD, phone_number: "+15555550123" }, { email: REQUIRED }],
      ["/auth/token/refresh/", {}, { refresh: REQUIRED }],
      ["/auth/token/refresh/", { refresh_token: "" }, { refresh_token: ["This field may not be blank."] }],
      ["/auth/token/verify/", { access: "a.b.c" }, { token: REQUIRED }],
      ["/auth/password/reset/", {}, { email: REQUIRED }],
      ["/auth/password/reset/verify", { email: uniqueEmail() }, { otp: REQUIRED }],
      [
        "/auth/password/reset/verify/",
        { email: uniqueEmail(), otp: "12ab56" },
        { otp: ["Enter a valid OTP: digits only."] },
      ],
      ["/auth/password/reset/confirm/", { password: "a brand new passphrase" }, { token: REQUIRED }],
      [
        "/auth/password/reset/confirm/",
        { email: uniqueEmail(), password: "a brand new passphrase" },
        { otp: REQUIRED },
      ],
      ["/auth/password/reset/confirm/", { token: "x" }, { password: REQUIRED }],
    ];
    for (const [path, json, errors] of cases) {
      await expectDialectError(await call("POST", path, { json }), 400, errors);
    }
  });
});

describe("Bookings bad bodies, in DRF's words", () => {
  it("malformed JSON: 400 JSON parse error, nothing of the input echoed", async () => {
    const response = await call("POST", "/auth/token/", {
      body: '{"email": "<script>",',
      contentType: "application/json",
    });
    await expectDialectError(response, 400, { detail: "JSON parse error - the request body is not valid JSON." });
  });

  it("a body that is not UTF-8: 400 Malformed request.", async () => {
    const response = await call("POST", "/auth/token/", {
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
      contentType: "application/json",
    });
    await expectDialectError(response, 400, { detail: "Malformed request." });
  });

  it("a JSON array instead of an object: 400 non_field_errors", async () => {
    const response = await call("POST", "/auth/register/", { body: "[]", contentType: "application/json" });
    await expectDialectError(response, 400, { non_field_errors: ["Invalid data. Expected a dictionary."] });
  });

  it("a repeated form field: 400 for that field; an undocumented one is not named back", async () => {
    const body = `email=${encodeURIComponent(uniqueEmail())}&email=x%40example.com&password=whatever12`;
    const form = "application/x-www-form-urlencoded";
    await expectDialectError(await call("POST", "/auth/token/", { body, contentType: form }), 400, {
      email: ["This field was sent more than once."],
    });
    const odd = await call("POST", "/auth/token/", { body: "%3Cb%3E=1&%3Cb%3E=2", contentType: form });
    await expectDialectError(odd, 400, { non_field_errors: ["This field was sent more than once."] });
  });

  it("a wrong content type: 415 naming it as DRF does, only when it is a plain media type", async () => {
    const plain = await call("POST", "/auth/register/", { body: "x", contentType: "text/plain; charset=utf-8" });
    await expectDialectError(plain, 415, { detail: 'Unsupported media type "text/plain" in request.' });
    const odd = await call("POST", "/auth/token/", { body: "x", contentType: 'text/"<x>"' });
    await expectDialectError(odd, 415, { detail: "Unsupported media type in request." });
    const none = await call("POST", "/auth/token/verify/", { body: "x", contentType: "" });
    await expectDialectError(none, 415, { detail: 'Unsupported media type "" in request.' });
  });

  it("a body over 16 KiB: 413", async () => {
    const json = { ...registerBody(), padding: "x".repeat(20_000) };
    await expectDialectError(await register(json), 413, { detail: "Request body too large." });
  });
});

describe("Bookings' paths own their 405", () => {
  const PATHS = [
    "/auth/register/",
    "/auth/token/",
    "/auth/token/refresh/",
    "/auth/token/verify/",
    "/auth/password/reset/",
    "/auth/password/reset/verify",
    "/auth/password/reset/verify/",
    "/auth/password/reset/confirm/",
  ];

  it("answers a method a path does not take with DRF's 405 naming it, and Allow: POST", async () => {
    for (const path of PATHS) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const response = await call(method, path);
        expect(response.headers.get("Allow")).toBe("POST");
        await expectDialectError(response, 405, { detail: `Method "${method}" not allowed.` });
      }
    }
  });

  it("trailing slashes are significant: /auth/token (no slash) is not Bookings' path", async () => {
    const response = await call("POST", "/auth/token", { json: { email: uniqueEmail(), password: PASSWORD } });
    expect(response.status).toBe(404);
  });
});

describe("Bookings outages and limits", () => {
  it("storage failing mid-login: 503 {detail}, no details", async () => {
    const { email } = await bookingsAccount();
    await injectFault("bookings_fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");
    const response = await call("POST", "/auth/token/", { json: { email, password: PASSWORD } });
    await expectDialectError(response, 503, { detail: "Service temporarily unavailable, try again later." });
  });

  it("the login lock of /v1 holds here: after 10 wrong passwords the right one is refused too", async () => {
    const { email } = await bookingsAccount();
    for (let attempt = 0; attempt < 10; attempt++) {
      await call("POST", "/auth/token/", { json: { email, password: `wrong password ${attempt}` } });
    }
    const right = await call("POST", "/auth/token/", { json: { email, password: PASSWORD } });
    await expectDialectError(right, 401, { detail: "No active account found with the given credentials" });
  });
});
