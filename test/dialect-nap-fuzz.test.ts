// Fuzzing NAP's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of
// NAP's own shapes or anything at all, any content type, good and bad tokens), plus its X-NAP-*
// token headers good and bad: never a 5xx, and every refusal NAP's models.ErrorResponse with `code`
// the status (or login's 403 UserLoginResult), never a problem document or a stack trace.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkDialectAnswer, NO_BODY } from "./support/dialect-fuzz";
import { ErrorModel, napSession, UnverifiedModel } from "./support/dialect-nap";
import { dialectRoutes, INTERNALS } from "./support/dialects";
import { ACCESS, EMAIL, fuzzCaseFor, REFRESH, requestOf, type Secrets, type Shape } from "./support/fuzz-inputs";

const SEED = 20_250_311;
const RUNS_PER_ROUTE = 60;

/** NAP's request bodies, as the swagger's models name their fields. */
const SHAPES: Record<string, Shape[]> = {
  signup: [
    {
      fields: ["email", "password", "confirmPassword", "firstName", "lastName", "inviteToken"],
      required: ["email", "password", "confirmPassword", "firstName", "lastName"],
    },
  ],
  login: [{ fields: ["email", "password", "flowReturnTo"], required: ["email", "password"] }],
  send: [{ fields: ["email"], required: ["email"] }],
  verify: [{ fields: ["token"], required: ["token"] }],
  org: [{ fields: ["orgId"], required: ["orgId"] }],
};
const NAP_PATH = /^\/api\/auth\/(signup|login|refresh|logout|verify-email\/(send|verify)|flow\/[^/]+(\/org)?)$/;

/** X-NAP-Session-Token and X-NAP-Refresh-Token: absent, the live ones, swapped, or any text. */
const tokenHeader = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.constantFrom(ACCESS, REFRESH), weight: 2 },
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 80 }),
);
const napHeaders = fc.record({ session: tokenHeader, refresh: tokenHeader });

function withNapHeaders(request: Request, headers: { session?: string; refresh?: string }, secrets: Secrets): Request {
  const reveal = (text: string) =>
    text.replace(/<(ACCESS_TOKEN|REFRESH_TOKEN)>/g, (name) => secrets[name as keyof Secrets]);
  const merged = new Headers(request.headers);
  if (headers.session !== undefined) merged.set("X-NAP-Session-Token", reveal(headers.session));
  if (headers.refresh !== undefined) merged.set("X-NAP-Refresh-Token", reveal(headers.refresh));
  return new Request(request, { headers: merged });
}

function expectNapBody(body: Record<string, unknown>, label: string, status: number): void {
  if (status === 403 && label.split(" ")[1] === "/api/auth/login") {
    expect(UnverifiedModel.safeParse(body).success, label).toBe(true);
    return;
  }
  const parsed = ErrorModel.safeParse(body);
  expect(parsed.success, label).toBe(true);
  expect(parsed.data?.code, label).toBe(status);
}

/** A flowId such as ".." leaves NAP's paths altogether: then only never-5xx and no internals hold. */
async function answerCheck(request: Request, response: Response): Promise<void> {
  if (NAP_PATH.test(new URL(request.url).pathname)) return checkDialectAnswer(request, response, expectNapBody);
  expect(response.status).toBeLessThan(500);
  expect(await response.text()).not.toMatch(INTERNALS);
}

describe("fuzzing every NAP route", () => {
  const routes = dialectRoutes({ name: "nap", prefix: "" });

  it("walks all eight (the swagger's seven and the flow's organization choice)", () => expect(routes).toHaveLength(8));

  routes.forEach((route, index) => {
    it(`${route.method} ${route.path}: never 5xx, every 4xx NAP's ErrorResponse without a stack trace`, async () => {
      // A live account per route: a fuzzed logout may end the one before.
      const account = await napSession();
      const secrets: Secrets = {
        [ACCESS]: account.tokens.session_token,
        [REFRESH]: account.tokens.refresh_token,
        [EMAIL]: account.email,
      };
      const shapes = SHAPES[route.path.split("/").at(-1) ?? ""] ?? NO_BODY;
      await fc.assert(
        fc.asyncProperty(fuzzCaseFor(shapes), napHeaders, async (input, headers) => {
          const request = withNapHeaders(requestOf(route, input, secrets), headers, secrets);
          await answerCheck(request, await exports.default.fetch(request));
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED + index },
      );
    }, 60_000);
  });
});
