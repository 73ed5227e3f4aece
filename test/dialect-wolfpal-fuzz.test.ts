// Fuzzing wolfpal's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of
// its own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal wolfpal's own JSON (`{code, error}` or `{codes, errors}`), never a problem document or a
// stack trace.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wolfpalAccount } from "./support/dialect-wolfpal";
import { dialectRoutes } from "./support/dialects";
import { ACCESS, EMAIL, fuzzCaseFor, REFRESH, requestOf, type Secrets, type Shape } from "./support/fuzz-inputs";

const SEED = 20_261_214;
const RUNS_PER_ROUTE = 60;
const INTERNALS = /\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_|AppError/;

/** wolfpal's request bodies, as its document and its SPA send them. */
const SHAPES: Record<string, Shape[]> = {
  register: [{ fields: ["username", "email", "password"], required: ["username", "email", "password"] }],
  login: [{ fields: ["email", "password"], required: ["email", "password"] }],
  "two-factor": [{ fields: ["token", "code"], required: ["token", "code"] }],
  refresh: [{ fields: ["refresh_token"], required: ["refresh_token"] }],
};
const NO_BODY: Shape[] = [{ fields: [], required: [] }];

const isStringMap = (value: unknown) =>
  typeof value === "object" && value !== null && Object.values(value).every((entry) => typeof entry === "string");

async function checkResponse(request: Request, response: Response): Promise<void> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  expect(text, label).not.toMatch(INTERNALS);
  // A preflight's 204 and a HEAD carry no body.
  if (response.status < 400 || request.method === "HEAD") return;
  expect(response.headers.get("Content-Type"), label).toMatch(/^application\/json\b/);
  const body = JSON.parse(text) as Record<string, unknown>;
  if ("codes" in body) {
    expect(Object.keys(body), label).toEqual(["codes", "errors"]);
    expect(isStringMap(body.codes) && isStringMap(body.errors), label).toBe(true);
    expect(Object.keys(body.codes as object), label).toEqual(Object.keys(body.errors as object));
    return;
  }
  expect(Object.keys(body), label).toEqual(["code", "error"]);
  expect(typeof body.error, label).toBe("string");
}

describe("fuzzing every wolfpal route", () => {
  const routes = dialectRoutes({ name: "wolfpal", prefix: "" });

  routes.forEach((route, index) => {
    it(`${route.method} ${route.path}: never 5xx, every 4xx wolfpal's JSON without a stack trace`, async () => {
      // A live account per route: a fuzzed logout may end the one before.
      const account = await wolfpalAccount();
      const secrets: Secrets = {
        [ACCESS]: account.access_token,
        [REFRESH]: account.refresh_token,
        [EMAIL]: account.email,
      };
      const shapes = SHAPES[route.path.split("/").at(-1) ?? ""] ?? NO_BODY;
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
