// Property-based fuzzing (fast-check) of every route the app serves, read from the app itself so new
// routes are fuzzed too: random JSON values, form bodies and raw bytes, with random Content-Type,
// Authorization, Origin and Cookie headers. Whatever arrives: never a status of 500 or more, and every
// 4xx is a problem document (or, on the mail-link pages, an HTML page) with no stack trace or path.
// Seeded, so a failure replays; the counter-example fast-check prints is the request to look at.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { PASSWORD, signUp } from "./support/accounts";
import { buildRequest, call } from "./support/http";

const SEED = 20_261_122;
const RUNS_PER_ROUTE = 60;
const HTML_PAGES = /^\/(verify-email|reset-password)$/;
const FIELD_NAMES = [
  "email",
  "password",
  "username",
  "name",
  "first_name",
  "last_name",
  "phone",
  "address",
  "refresh_token",
  "token",
  "otp_request_id",
  "code",
  "new_password",
  "current_password",
  "new_email",
  "mfa_token",
  "__proto__",
  "constructor",
];

/** Every method and path the app routes, parameters kept as `:name`; middleware (`ALL /*`) left out. */
const ROUTES = [
  ...new Set(
    createApp()
      .routes.filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path}`),
  ),
].map((route) => {
  const [method = "GET", path = "/"] = route.split(" ");
  return { method, path };
});

/** Stand-ins for the live account's secrets, swapped in as each request is built. */
const ACCESS = "<ACCESS_TOKEN>";
const REFRESH = "<REFRESH_TOKEN>";
const EMAIL = "<EMAIL>";

interface Secrets {
  [ACCESS]: string;
  [REFRESH]: string;
  [EMAIL]: string;
}

/** Printable ASCII: what a header value may carry (Headers refuses CR, LF and NUL outright). */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength });

const anyText = fc.string({ unit: "grapheme", maxLength: 64 });

const fieldName = fc.oneof(fc.constantFrom(...FIELD_NAMES), anyText);

const contentType = fc.oneof(
  { arbitrary: fc.constant("matching"), weight: 4 },
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/problem+json",
    "",
  ),
  headerText(40),
);

const authorization = fc.oneof(
  fc.constant(undefined),
  { arbitrary: fc.constant(`Bearer ${ACCESS}`), weight: 3 },
  headerText(60).map((text) => `Bearer ${text}`),
  headerText(60),
  fc.constantFrom("Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "bearer    x"),
);

const origin = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("https://app.test", "https://auth.test", "null", "https://evil.test", "https://app.test.evil.test"),
  headerText(40),
);

const cookie = fc.oneof(
  fc.constant(undefined),
  fc.constant(`__Host-edge-auth-refresh=${REFRESH}`),
  anyText.map((text) => `__Host-edge-auth-refresh=${encodeURIComponent(text)}`),
  headerText(80),
);

const passwordLike = fc.oneof(fc.constant(PASSWORD), fc.string({ minLength: 8, maxLength: 64 }), anyText);

/** Per field, values a route might accept, so the fuzzer also gets past validation into the services. */
const PLAUSIBLE: Record<string, fc.Arbitrary<string>> = {
  email: fc.oneof(fc.constant(EMAIL), fc.emailAddress(), anyText),
  new_email: fc.oneof(fc.constant(EMAIL), fc.emailAddress(), anyText),
  password: passwordLike,
  current_password: passwordLike,
  new_password: passwordLike,
  refresh_token: fc.oneof(fc.constant(REFRESH), anyText),
  token: fc.oneof(fc.constant(ACCESS), fc.base64String({ maxLength: 64 }), anyText),
  otp_request_id: fc.oneof(fc.uuid(), anyText),
  code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), anyText),
  username: fc.oneof(fc.stringMatching(/^[a-z0-9_.-]{3,12}$/), anyText),
  phone: fc.oneof(fc.constantFrom("+14155550123", "+447700900123"), anyText),
};

/** The shapes our request bodies have, each filled with plausible values. */
const SHAPES = [
  ["email", "password"],
  ["username", "password"],
  ["email", "password", "name", "username"],
  ["refresh_token"],
  ["token"],
  ["email"],
  ["password"],
  ["current_password", "new_password"],
  ["new_email", "password"],
  ["otp_request_id", "code"],
  ["otp_request_id", "code", "new_password"],
  ["token", "new_password"],
  ["mfa_token", "code"],
  ["code"],
  ["phone"],
  ["name", "phone", "address"],
];

/** A request body's fields, and which of them it must have. */
interface Shape {
  fields: string[];
  required: string[];
}

const GENERIC_SHAPES: Shape[] = SHAPES.map((fields) => ({ fields, required: fields }));

/** The required fields, and often none or few of the optional ones, each with a plausible value. */
const plausibleObject = (shapes: Shape[]) =>
  fc
    .constantFrom(...shapes)
    .chain(({ fields, required }) =>
      fc
        .oneof(
          { arbitrary: fc.constant<string[]>([]), weight: 2 },
          fc.subarray(fields.filter((field) => !required.includes(field))),
        )
        .map((optional) => [...required, ...optional]),
    )
    .chain((fields) => fc.record(Object.fromEntries(fields.map((field) => [field, PLAUSIBLE[field] ?? anyText]))));

/** A body: a JSON value (often one of the route's own shapes), a form, or raw text or bytes. */
const bodyFor = (shapes: Shape[]) =>
  fc.oneof(
    fc.record({
      kind: fc.constant("json" as const),
      value: fc.oneof(
        { arbitrary: plausibleObject(shapes), weight: 4 },
        plausibleObject(GENERIC_SHAPES),
        fc.dictionary(fieldName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
        fc.jsonValue(),
      ),
    }),
    fc.record({
      kind: fc.constant("form" as const),
      value: fc.oneof(plausibleObject(shapes), fc.dictionary(fieldName, anyText, { maxKeys: 6 })),
    }),
    fc.record({ kind: fc.constant("text" as const), value: fc.string({ unit: "binary", maxLength: 300 }) }),
    fc.record({ kind: fc.constant("bytes" as const), value: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ kind: fc.constant("none" as const), value: fc.constant(null) }),
  );

const pathParameter = fc.oneof(
  fc.uuid(),
  anyText.filter((text) => text.length > 0),
  fc.constantFrom("' OR 1=1 --", "..", "%2e%2e%2f", "__proto__", "x".repeat(300)),
);

const query = fc.option(
  fc.dictionary(fc.constantFrom("token", "access_token", "code", "email", "redirect"), anyText, { maxKeys: 3 }),
  { nil: undefined },
);

/** Mostly the route's own method; now and then another (405, or a CORS preflight). */
const otherMethod = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 5 },
  { arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), weight: 1 },
);

interface FuzzCase {
  method: string | undefined;
  parameter: string;
  query: Record<string, string> | undefined;
  body: { kind: "json" | "form" | "text" | "bytes" | "none"; value: unknown };
  contentType: string;
  authorization: string | undefined;
  origin: string | undefined;
  cookie: string | undefined;
}

const fuzzCaseFor = (shapes: Shape[]): fc.Arbitrary<FuzzCase> =>
  fc.record({
    method: otherMethod,
    parameter: pathParameter,
    query,
    body: bodyFor(shapes),
    contentType,
    authorization,
    origin,
    cookie,
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

const MATCHING_TYPE = { json: "application/json", form: "application/x-www-form-urlencoded" } as const;

function requestOf(route: { method: string; path: string }, input: FuzzCase, secrets: Secrets): Request {
  const reveal = (text: string) =>
    text.replace(/<(ACCESS_TOKEN|REFRESH_TOKEN|EMAIL)>/g, (name) => secrets[name as keyof Secrets]);
  const method = input.method ?? route.method;
  let path = route.path.replace(/:[a-z_]+/gi, encodeURIComponent(input.parameter));
  if (input.query) path += `?${new URLSearchParams(input.query).toString()}`;
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
  // No stack frames, source paths or internal names in any answer.
  expect(text, label).not.toMatch(/\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_/);
  if (response.status < 400) return;
  const type = response.headers.get("Content-Type") ?? "";
  if (HTML_PAGES.test(new URL(request.url).pathname) && type.startsWith("text/html")) return;
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
