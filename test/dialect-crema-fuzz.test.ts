// Fuzzing crema's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of its
// own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal crema's own JSON (`{"error"}` or `{"msg"}`), never a problem document or a stack trace.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cremaSignUp, dialectRoutes } from "./support/dialects";
import { ACCESS, EMAIL, type FuzzCase, fuzzCaseFor, REFRESH, type Secrets, type Shape } from "./support/fuzz-inputs";
import { buildRequest } from "./support/http";

const SEED = 20_261_211;
const RUNS_PER_ROUTE = 60;
const INTERNALS = /\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_|AppError/;

/** crema's request bodies, as its document and its SPA send them. */
const SHAPES: Record<string, Shape[]> = {
  users: [{ fields: ["name", "email", "password"], required: ["name", "email", "password"] }],
  auth: [
    { fields: ["email", "password"], required: ["email", "password"] },
    { fields: ["name", "password"], required: ["name", "password"] },
  ],
};
const NO_BODY: Shape[] = [{ fields: [], required: [] }];

const MATCHING_TYPE = { json: "application/json", form: "application/x-www-form-urlencoded" } as const;

function requestOf(route: { method: string; path: string }, input: FuzzCase, secrets: Secrets): Request {
  const reveal = (text: string) =>
    text.replace(/<(ACCESS_TOKEN|REFRESH_TOKEN|EMAIL)>/g, (name) => secrets[name as keyof Secrets]);
  const method = input.method ?? route.method;
  const path = input.query ? `${route.path}?${new URLSearchParams(input.query).toString()}` : route.path;
  const headers: Record<string, string> = {};
  if (input.authorization !== undefined) headers.Authorization = reveal(input.authorization);
  if (input.origin !== undefined) headers.Origin = input.origin;
  if (input.cookie !== undefined) headers.Cookie = reveal(input.cookie);
  const { kind, value } = input.body;
  let payload: BodyInit | undefined;
  if (kind === "json") payload = reveal(JSON.stringify(value));
  else if (kind === "form") payload = reveal(new URLSearchParams(value as Record<string, string>).toString());
  else if (kind === "text") payload = value as string;
  else if (kind === "bytes") payload = value as Uint8Array;
  const type =
    input.contentType === "matching" ? (MATCHING_TYPE[kind as "json" | "form"] ?? "text/plain") : input.contentType;
  const withBody = payload !== undefined && method !== "GET" && method !== "HEAD";
  return buildRequest(method, path, { headers, ...(withBody ? { body: payload, contentType: type } : {}) });
}

async function checkResponse(request: Request, response: Response): Promise<void> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  expect(text, label).not.toMatch(INTERNALS);
  // A preflight's 204 and a HEAD carry no body.
  if (response.status < 400 || request.method === "HEAD") return;
  expect(response.headers.get("Content-Type"), label).toMatch(/^application\/json\b/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).length, label).toBe(1);
  expect(typeof (body.error ?? body.msg), label).toBe("string");
}

describe("fuzzing every crema route", () => {
  const routes = dialectRoutes({ name: "crema", prefix: "" });

  routes.forEach((route, index) => {
    it(`${route.method} ${route.path}: never 5xx, every 4xx crema's JSON without a stack trace`, async () => {
      // A live account per route: a fuzzed logout may end the one before.
      const account = await cremaSignUp();
      const secrets: Secrets = { [ACCESS]: account.token, [REFRESH]: account.refresh_token, [EMAIL]: account.email };
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
