// Fuzzing Bookings' routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of
// its own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal Bookings' own JSON (`{"detail"}`, simplejwt's token refusal, or DRF's field-error map),
// never a problem document or a stack trace.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookingsAccount } from "./support/dialect-bookings";
import { dialectRoutes } from "./support/dialects";
import { ACCESS, EMAIL, fuzzCaseFor, REFRESH, requestOf, type Secrets, type Shape } from "./support/fuzz-inputs";

const SEED = 20_261_212;
const RUNS_PER_ROUTE = 60;
const INTERNALS = /\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_|AppError/;

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

async function checkResponse(request: Request, response: Response): Promise<void> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  expect(text, label).not.toMatch(INTERNALS);
  // A preflight's 204 and a HEAD carry no body.
  if (response.status < 400 || request.method === "HEAD") return;
  expect(response.headers.get("Content-Type"), label).toMatch(/^application\/json\b/);
  expectBookingsShape(JSON.parse(text) as Record<string, unknown>, label);
}

describe("fuzzing every Bookings route", () => {
  const routes = dialectRoutes({ name: "bookings", prefix: "" });

  routes.forEach((route, index) => {
    it(`${route.method} ${route.path}: never 5xx, every 4xx Bookings' JSON without a stack trace`, async () => {
      // A live account per route: a fuzzed reset may end the one before's sessions.
      const account = await bookingsAccount();
      const secrets: Secrets = { [ACCESS]: account.access, [REFRESH]: account.refresh, [EMAIL]: account.email };
      const shapes = SHAPES[route.path] ?? SOCIAL;
      await fc.assert(
        fc.asyncProperty(fuzzCaseFor(shapes), async (input) => {
          const request = requestOf(route, input, secrets);
          await checkResponse(request, await exports.default.fetch(request));
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED + index },
      );
    }, 60_000);
  });
});
