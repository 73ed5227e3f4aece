// Fuzzing Bookings' routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of
// its own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal Bookings' own JSON (`{"detail"}`, simplejwt's token refusal, or DRF's field-error map),
// never a problem document or a stack trace.
import { afterEach, beforeEach, expect, vi } from "vitest";
import { bookingsAccount } from "./support/dialect-bookings";
import { fuzzEveryRoute } from "./support/dialect-fuzz";
import { installFakeIdp } from "./support/fake-idp";
import { ACCESS, EMAIL, REFRESH, type Shape } from "./support/fuzz-inputs";

/** Bookings' request bodies, as its document and simplejwt's clients send them. */
const SHAPES: Record<string, Shape[]> = {
  "/auth/register/": [
    {
      fields: ["first_name", "last_name", "address", "email", "phone_no", "password"],
      required: ["first_name", "last_name", "email", "phone_no"],
    },
  ],
  "/auth/token/": [{ fields: ["email", "phone_number", "password"], required: ["email", "password"] }],
  "/auth/token/refresh/": [
    { fields: ["refresh_token"], required: ["refresh_token"] },
    { fields: ["refresh"], required: ["refresh"] },
  ],
  "/auth/token/verify/": [
    { fields: ["access_token"], required: ["access_token"] },
    { fields: ["token"], required: ["token"] },
  ],
  "/auth/password/reset/": [{ fields: ["email"], required: ["email"] }],
  "/auth/password/reset/verify": [{ fields: ["email", "otp"], required: ["email", "otp"] }],
  "/auth/password/reset/verify/": [{ fields: ["email", "otp"], required: ["email", "otp"] }],
  "/auth/password/reset/confirm/": [
    { fields: ["token", "password"], required: ["token", "password"] },
    { fields: ["email", "otp", "password"], required: ["email", "otp", "password"] },
  ],
};
const SOCIAL: Shape[] = [{ fields: ["access_code"], required: ["access_code"] }];

/** `{"detail": "…"}` (with simplejwt's `code` on a token), or `{"<field>": ["<message>", …]}`. */
function expectBookingsShape(body: Record<string, unknown>, label: string): void {
  if (typeof body.detail === "string") {
    const { detail: _, code, ...rest } = body;
    expect(rest, label).toEqual({});
    if (code !== undefined) expect(code, label).toBe("token_not_valid");
    return;
  }
  expect(Object.keys(body).length, label).toBeGreaterThan(0);
  for (const messages of Object.values(body)) {
    expect(Array.isArray(messages), label).toBe(true);
    for (const message of messages as unknown[]) expect(typeof message, label).toBe("string");
  }
}

// The social route asks Google: the fake identity provider answers, so no test reaches the internet.
beforeEach(() => {
  installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

fuzzEveryRoute({
  mount: { name: "bookings", prefix: "" },
  seed: 20_261_212,
  runs: 60,
  shapesOf: (path) => SHAPES[path] ?? SOCIAL,
  async secrets() {
    const account = await bookingsAccount();
    return { [ACCESS]: account.access, [REFRESH]: account.refresh, [EMAIL]: account.email };
  },
  expectBody: expectBookingsShape,
});
