// What the fuzzer of test/attack-fuzz.test.ts sends (fast-check arbitraries): request bodies built
// from the field names and body shapes our routes use, filled with plausible values or anything at
// all, paths, queries, and Content-Type, Authorization, Origin and Cookie headers good and bad.
import fc from "fast-check";
import { PASSWORD } from "./accounts";
import { buildRequest } from "./http";

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
/** Stand-ins for the live account's secrets, swapped in as each request is built. */
export const ACCESS = "<ACCESS_TOKEN>";
export const REFRESH = "<REFRESH_TOKEN>";
export const EMAIL = "<EMAIL>";

export interface Secrets {
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
export interface Shape {
  fields: string[];
  required: string[];
}

export const GENERIC_SHAPES: Shape[] = SHAPES.map((fields) => ({ fields, required: fields }));

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

export interface FuzzCase {
  method: string | undefined;
  parameter: string;
  query: Record<string, string> | undefined;
  body: { kind: "json" | "form" | "text" | "bytes" | "none"; value: unknown };
  contentType: string;
  authorization: string | undefined;
  origin: string | undefined;
  cookie: string | undefined;
}

export const fuzzCaseFor = (shapes: Shape[]): fc.Arbitrary<FuzzCase> =>
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

const MATCHING_TYPE = { json: "application/json", form: "application/x-www-form-urlencoded" } as const;

/** The request one fuzz case makes of `route`, with the placeholders replaced by live secrets. */
export function requestOf(route: { method: string; path: string }, input: FuzzCase, secrets: Secrets): Request {
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
