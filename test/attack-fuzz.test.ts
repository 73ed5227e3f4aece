// Property-based fuzzing (fast-check) of every route the app serves, read from the app itself so new
// routes are fuzzed too: random JSON values, form bodies and raw bytes, with random Content-Type,
// Authorization, Origin and Cookie headers. Whatever arrives: never a status of 500 or more, and every
// 4xx is a problem document (or, on the mail-link pages, an HTML page) with no stack trace or path.
// Seeded, so a failure replays; the counter-example fast-check prints is the request to look at.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { DEV_ROUTES } from "../src/dev";
import { signUp } from "./support/accounts";
import {
  ACCESS,
  EMAIL,
  fuzzCaseFor,
  GENERIC_SHAPES,
  REFRESH,
  requestOf,
  type Secrets,
  type Shape,
} from "./support/fuzz-inputs";
import { call } from "./support/http";

const SEED = 20_261_122;
const RUNS_PER_ROUTE = 60;
const HTML_PAGES = /^\/(verify-email|reset-password|accept-invitation)$/;
/** The OAuth token endpoint answers RFC 6749 §5.2's `{error}` instead (a 429 stays a problem). */
const OAUTH_ENDPOINT = "/v1/oauth/token";
const OAUTH_ERRORS = ["invalid_request", "invalid_client", "invalid_scope", "unsupported_grant_type", "invalid_grant"];

/** Every method and path the app routes, parameters kept as `:name`; middleware (`ALL /*`) left out. */
const ROUTES = [
  ...new Set(
    createApp([], DEV_ROUTES)
      .routes.filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path}`),
  ),
].map((route) => {
  const [method = "GET", path = "/"] = route.split(" ");
  return { method, path };
});

interface SchemaNode {
  $ref?: string;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  properties?: Record<string, unknown>;
  required?: string[];
}

/** The field sets a route's request body may have, read from the app's own /openapi.json. */
function shapesOf(document: OpenApiDocument, route: { method: string; path: string }): Shape[] {
  const operation = document.paths[route.path.replace(/:([a-z_]+)/gi, "{$1}")]?.[route.method.toLowerCase()];
  const root = operation?.requestBody?.content?.["application/json"]?.schema;
  const resolve = (node: SchemaNode | undefined): Shape[] => {
    if (!node) return [];
    if (node.$ref) return resolve(document.components.schemas[node.$ref.split("/").at(-1) ?? ""]);
    const alternatives = node.anyOf ?? node.oneOf;
    if (alternatives) return alternatives.flatMap(resolve);
    return node.properties ? [{ fields: Object.keys(node.properties), required: node.required ?? [] }] : [];
  };
  const shapes = resolve(root);
  return shapes.length > 0 ? shapes : GENERIC_SHAPES;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: SchemaNode }> } }>>;
  components: { schemas: Record<string, SchemaNode> };
}

async function checkResponse(request: Request, response: Response): Promise<void> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  // No stack frames, source paths or internal names in any answer.
  expect(text, label).not.toMatch(/\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_/);
  if (response.status < 400) return;
  const type = response.headers.get("Content-Type") ?? "";
  if (HTML_PAGES.test(new URL(request.url).pathname) && type.startsWith("text/html")) return;
  if (new URL(request.url).pathname === OAUTH_ENDPOINT && type.startsWith("application/json")) {
    expect(OAUTH_ERRORS, label).toContain((JSON.parse(text) as { error: unknown }).error);
    return;
  }
  expect(type, label).toBe("application/problem+json");
  const problem = JSON.parse(text) as { status: unknown; code: unknown; type: unknown; title: unknown };
  expect(problem.status, label).toBe(response.status);
  expect(typeof problem.code, label).toBe("string");
  expect(String(problem.type), label).toBe(`urn:edge-auth:error:${String(problem.code)}`);
  expect(typeof problem.title, label).toBe("string");
}

describe("fuzzing every route", () => {
  it("fuzzes the routes the app really serves, the mail-link pages and the bearer routes among them", () => {
    const listed = ROUTES.map((route) => `${route.method} ${route.path}`);
    for (const expected of [
      "POST /v1/signup",
      "POST /v1/token/verify",
      "DELETE /v1/sessions/:id",
      "POST /reset-password",
    ]) {
      expect(listed).toContain(expected);
    }
  });

  ROUTES.forEach((route, index) => {
    it(`${route.method} ${route.path}: never 5xx, every 4xx a problem without a stack trace`, async () => {
      // A live account per route: a fuzzed DELETE /v1/me or /v1/sessions may end the one before.
      const account = await signUp();
      const secrets: Secrets = {
        [ACCESS]: account.tokens.access_token,
        [REFRESH]: account.tokens.refresh_token,
        [EMAIL]: account.email,
      };
      const document = (await (await call("GET", "/openapi.json")).json()) as OpenApiDocument;
      await fc.assert(
        fc.asyncProperty(fuzzCaseFor(shapesOf(document, route)), async (input) => {
          const request = requestOf(route, input, secrets);
          await checkResponse(request, await exports.default.fetch(request));
        }),
        { numRuns: RUNS_PER_ROUTE, seed: SEED + index },
      );
    }, 60_000);
  });
});
