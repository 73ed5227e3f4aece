// Fuzzing BioEntrust's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies
// of its own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal BioEntrust's own JSON (`{"error"}` or `{"status": "error", "message"}`), never a problem
// document or a stack trace.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bioAccount } from "./support/dialect-bioentrust";
import { dialectRoutes } from "./support/dialects";
import { ACCESS, EMAIL, fuzzCaseFor, REFRESH, requestOf, type Secrets, type Shape } from "./support/fuzz-inputs";

const SEED = 20_261_215;
const RUNS_PER_ROUTE = 50;
const INTERNALS = /\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_|AppError/;

const CODE: Shape[] = [
  { fields: ["otp", "otp_request_id", "app_id"], required: ["otp", "otp_request_id"] },
  { fields: ["code", "otp_request_id"], required: ["code"] },
];
/** BioEntrust's request bodies, as its document shows them. */
const SHAPES: Record<string, Shape[]> = {
  signup: [{ fields: ["first_name", "last_name", "email", "password"], required: ["email", "password"] }],
  signin: [{ fields: ["email", "password"], required: ["email", "password"] }],
  "verify-email": CODE,
  verify_email: CODE,
  "verify-sms": CODE,
  verify_sms: CODE,
  "forgot-password": [{ fields: ["email", "password"], required: ["email"] }],
  "reset-password": [{ fields: ["email", "password"], required: ["password"] }],
};
const NO_BODY: Shape[] = [{ fields: [], required: [] }];

async function checkResponse(request: Request, response: Response): Promise<void> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  expect(text, label).not.toMatch(INTERNALS);
  // A preflight's 204 and a HEAD carry no body.
  if (response.status < 400 || request.method === "HEAD") return;
  expect(response.headers.get("Content-Type"), label).toMatch(/^application\/json\b/);
  const body = JSON.parse(text) as Record<string, unknown>;
  if ("status" in body) {
    expect(Object.keys(body), label).toEqual(["status", "message"]);
    expect(typeof body.message, label).toBe("string");
  } else {
    expect(Object.keys(body), label).toEqual(["error"]);
    expect(typeof body.error, label).toBe("string");
  }
}

describe("fuzzing every BioEntrust route", () => {
  const routes = dialectRoutes({ name: "bioentrust", prefix: "" });

  routes.forEach((route, index) => {
    it(`${route.method} ${route.path}: never 5xx, every 4xx BioEntrust's JSON without a stack trace`, async () => {
      // A live account per route: a fuzzed sign-out or reset may end the one before.
      const account = await bioAccount();
      const secrets: Secrets = { [ACCESS]: account.access, [REFRESH]: account.refresh, [EMAIL]: account.email };
      const segment = route.path.split("/").filter(Boolean).at(-1) ?? "";
      const shapes = SHAPES[segment] ?? NO_BODY;
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
