// Bad input on every endpoint that reads a body: each case must answer a clear 4xx problem with a
// stable code, leave D1 exactly as it was, and never show a stack trace.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countRows, PASSWORD, signUp, type TestAccount, uniqueEmail } from "./support/accounts";
import { call, nextIp, ORIGIN } from "./support/http";

type Body = Record<string, string>;

interface Endpoint {
  method: "POST" | "PATCH" | "DELETE";
  path: string;
  /** Sends the account's access token as a bearer token. */
  bearer: boolean;
  /** A body this endpoint accepts; every case below breaks exactly one thing about it. */
  valid: (account: TestAccount) => Body;
  /** A string field of the valid body, used to send it in the wrong type or twice. */
  probe: string;
  /** A field the body cannot do without, or null when every field is optional. */
  required: string | null;
  /** Field → the longest value it accepts; one more character must be refused. */
  maxLengths: Record<string, number>;
  /** Fields that a client might try to set on the user row (mass assignment). */
  forbidden: Record<string, unknown>;
}

const ENDPOINTS: Endpoint[] = [
  {
    method: "POST",
    path: "/v1/signup",
    bearer: false,
    valid: () => ({ email: uniqueEmail("bad-input"), password: PASSWORD }),
    probe: "email",
    required: "password",
    maxLengths: { email: 320, password: 1024, name: 100, username: 32, first_name: 100, last_name: 100, address: 500 },
    forbidden: {
      email_verified: true,
      id: crypto.randomUUID(),
      password_hash: "$scrypt$ln=1,r=1,p=1$AAAA$AAAA",
      disabled_at: null,
      created_at: 0,
      emailVerified: true,
    },
  },
  {
    method: "POST",
    path: "/v1/login",
    bearer: false,
    valid: (account) => ({ email: account.email, password: PASSWORD }),
    probe: "email",
    required: "password",
    maxLengths: { email: 320, password: 1024 },
    forbidden: { email_verified: true },
  },
  {
    method: "POST",
    path: "/v1/token/refresh",
    bearer: false,
    valid: (account) => ({ refresh_token: account.tokens.refresh_token }),
    probe: "refresh_token",
    required: "refresh_token",
    maxLengths: { refresh_token: 512 },
    forbidden: { email_verified: true },
  },
  {
    method: "POST",
    path: "/v1/token/verify",
    bearer: false,
    valid: (account) => ({ token: account.tokens.access_token }),
    probe: "token",
    required: "token",
    maxLengths: { token: 8192 },
    forbidden: { email_verified: true },
  },
  {
    method: "POST",
    path: "/v1/logout",
    bearer: true,
    valid: (account) => ({ refresh_token: account.tokens.refresh_token }),
    probe: "refresh_token",
    required: null,
    maxLengths: { refresh_token: 512 },
    forbidden: { email_verified: true },
  },
  {
    method: "PATCH",
    path: "/v1/me",
    bearer: true,
    valid: () => ({ name: "Changed Name" }),
    probe: "name",
    required: null,
    maxLengths: { name: 100, username: 32, first_name: 100, last_name: 100, address: 500 },
    forbidden: {
      email_verified: true,
      id: crypto.randomUUID(),
      password_hash: "$scrypt$ln=1,r=1,p=1$AAAA$AAAA",
      disabled_at: null,
      email: "new@example.com",
      password: "another long passphrase",
      created_at: 0,
    },
  },
  {
    method: "DELETE",
    path: "/v1/me",
    bearer: true,
    valid: () => ({ password: PASSWORD }),
    probe: "password",
    required: "password",
    maxLengths: { password: 1024 },
    forbidden: { email_verified: true },
  },
];

interface Sent {
  body?: BodyInit;
  contentType?: string;
  /** Streams the body so the request carries no Content-Length. */
  stream?: boolean;
}

interface Expected {
  status: number;
  code: string;
  /** Each of these must appear as an `errors[].field`. */
  fields?: string[];
}

interface Case {
  name: string;
  applies?: (endpoint: Endpoint) => boolean;
  send: (endpoint: Endpoint, account: TestAccount) => Sent;
  expect: (endpoint: Endpoint) => Expected;
}

const OVER_LIMIT = "x".repeat(17 * 1024);
const json = (value: unknown): Sent => ({ body: JSON.stringify(value), contentType: "application/json" });
const form = (text: string): Sent => ({ body: text, contentType: "application/x-www-form-urlencoded" });
const invalidField = (field: string): Expected => ({ status: 400, code: "invalid_request", fields: [field] });

const CASES: Case[] = [
  {
    name: "truncated JSON",
    send: (e, a) => ({ body: JSON.stringify(e.valid(a)).slice(0, -3), contentType: "application/json" }),
    expect: () => ({ status: 400, code: "malformed_body" }),
  },
  {
    name: "JSON behind a byte order mark",
    send: (e, a) => ({ body: `\uFEFF${JSON.stringify(e.valid(a))}`, contentType: "application/json" }),
    expect: () => ({ status: 400, code: "malformed_body" }),
  },
  {
    name: "bytes that are not UTF-8",
    send: () => ({ body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), contentType: "application/json" }),
    expect: () => ({ status: 400, code: "malformed_body" }),
  },
  { name: "a JSON array", send: (e, a) => json([e.valid(a)]), expect: () => invalidField("body") },
  { name: "JSON null", send: () => json(null), expect: () => invalidField("body") },
  { name: "a JSON string", send: (e, a) => json(JSON.stringify(e.valid(a))), expect: () => invalidField("body") },
  {
    name: "JSON sent as text/plain",
    send: (e, a) => ({ body: JSON.stringify(e.valid(a)), contentType: "text/plain" }),
    expect: () => ({ status: 415, code: "unsupported_media_type" }),
  },
  {
    name: "multipart/form-data",
    send: (e, a) => {
      const data = new FormData();
      for (const [key, value] of Object.entries(e.valid(a))) data.append(key, value);
      return { body: data };
    },
    expect: () => ({ status: 415, code: "unsupported_media_type" }),
  },
  {
    name: "JSON without a Content-Type",
    send: (e, a) => ({ body: new TextEncoder().encode(JSON.stringify(e.valid(a))) }),
    expect: () => ({ status: 415, code: "unsupported_media_type" }),
  },
  {
    name: "a body over 16 KiB with Content-Length",
    send: (e, a) => json({ ...e.valid(a), padding: OVER_LIMIT }),
    expect: () => ({ status: 413, code: "payload_too_large" }),
  },
  {
    name: "a body over 16 KiB streamed without Content-Length",
    send: (e, a) => ({ ...json({ ...e.valid(a), padding: OVER_LIMIT }), stream: true }),
    expect: () => ({ status: 413, code: "payload_too_large" }),
  },
  {
    name: "a form body over 16 KiB",
    send: (e, a) => form(`${new URLSearchParams(e.valid(a))}&padding=${OVER_LIMIT}`),
    expect: () => ({ status: 413, code: "payload_too_large" }),
  },
  {
    name: "a missing required field",
    applies: (e) => e.required !== null,
    send: (e, a) => {
      const { [e.required ?? ""]: _removed, ...rest } = e.valid(a);
      return json(rest);
    },
    expect: (e) => invalidField(e.required ?? ""),
  },
  {
    name: "an unknown field",
    send: (e, a) => json({ ...e.valid(a), is_admin: true }),
    expect: () => invalidField("is_admin"),
  },
  {
    name: "an unknown field in a form body",
    send: (e, a) => form(`${new URLSearchParams(e.valid(a))}&role=admin`),
    expect: () => invalidField("role"),
  },
  {
    name: "a field given as an array",
    send: (e, a) => json({ ...e.valid(a), [e.probe]: ["a"] }),
    expect: (e) => invalidField(e.probe),
  },
  {
    name: "a field given as an operator object",
    send: (e, a) => json({ ...e.valid(a), [e.probe]: { $ne: "" } }),
    expect: (e) => invalidField(e.probe),
  },
  {
    name: "an operator smuggled into a form key",
    send: (e, a) => form(`${new URLSearchParams(e.valid(a))}&${encodeURIComponent(`${e.probe}[$ne]`)}=`),
    expect: (e) => invalidField(`${e.probe}[$ne]`),
  },
  {
    name: "a __proto__ key in JSON",
    send: (e, a) => ({
      body: `${JSON.stringify(e.valid(a)).slice(0, -1)},"__proto__":{"email_verified":true}}`,
      contentType: "application/json",
    }),
    expect: () => invalidField("__proto__"),
  },
  {
    name: "a __proto__ key in a form body",
    send: (e, a) => form(`${new URLSearchParams(e.valid(a))}&__proto__=x`),
    expect: () => invalidField("__proto__"),
  },
  {
    name: "a repeated form key",
    send: (e, a) => {
      const body = e.valid(a);
      return form(`${new URLSearchParams(body)}&${e.probe}=${encodeURIComponent(body[e.probe] ?? "")}`);
    },
    expect: (e) => invalidField(e.probe),
  },
];

/** What a failed request must not have changed: row counts, revocations, rotations, the user row. */
async function snapshotStorage(userId: string) {
  const scalar = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())?.n;
  return {
    users: await countRows("users"),
    sessions: await countRows("sessions"),
    refreshTokens: await countRows("refresh_tokens"),
    revokedSessions: await scalar("select count(*) as n from sessions where revoked_at is not null"),
    rotatedTokens: await scalar("select count(*) as n from refresh_tokens where rotated_at is not null"),
    user: await env.DB.prepare("select * from users where id = ?").bind(userId).first(),
  };
}

function send(endpoint: Endpoint, account: TestAccount, sent: Sent): Promise<Response> {
  const headers: Record<string, string> = endpoint.bearer
    ? { Authorization: `Bearer ${account.tokens.access_token}` }
    : {};
  if (!sent.stream) {
    return call(endpoint.method, endpoint.path, {
      headers,
      ...(sent.body === undefined ? {} : { body: sent.body }),
      ...(sent.contentType === undefined ? {} : { contentType: sent.contentType }),
    });
  }
  const bytes = new TextEncoder().encode(String(sent.body));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Several chunks, as a client streaming an unknown length would send them.
      for (let offset = 0; offset < bytes.byteLength; offset += 4096)
        controller.enqueue(bytes.slice(offset, offset + 4096));
      controller.close();
    },
  });
  const request = new Request(`${ORIGIN}${endpoint.path}`, {
    method: endpoint.method,
    headers: { ...headers, "Content-Type": sent.contentType ?? "", "CF-Connecting-IP": nextIp() },
    body,
  });
  expect(request.headers.get("Content-Length")).toBeNull();
  return exports.default.fetch(request);
}

async function expectRefusal(response: Response, expected: Expected): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: expected.status });
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(text).not.toMatch(/\bat .*:\d+:\d+|Error:/);
  const problem = JSON.parse(text) as { code: string; status: number; errors?: { field: string }[] };
  expect(problem).toMatchObject({ code: expected.code, status: expected.status });
  for (const field of expected.fields ?? []) {
    expect(problem.errors?.map((issue) => issue.field)).toContain(field);
  }
}

async function expectRefusedWithoutWrites(
  endpoint: Endpoint,
  sent: (account: TestAccount) => Sent,
  expected: Expected,
) {
  const account = await signUp();
  const before = await snapshotStorage(account.userId);
  await expectRefusal(await send(endpoint, account, sent(account)), expected);
  expect(await snapshotStorage(account.userId)).toEqual(before);
}

describe.each(ENDPOINTS)("$method $path", (endpoint) => {
  it("accepts the valid body the refusals below are built from", async () => {
    const account = await signUp();
    const response = await send(endpoint, account, json(endpoint.valid(account)));
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  });

  it.each(CASES.filter((c) => c.applies?.(endpoint) ?? true))("refuses $name and writes nothing", async (c) => {
    await expectRefusedWithoutWrites(endpoint, (account) => c.send(endpoint, account), c.expect(endpoint));
  });

  it.each(Object.entries(endpoint.maxLengths))("refuses an oversized %s naming the field", async (field, max) => {
    await expectRefusedWithoutWrites(
      endpoint,
      (account) => json({ ...endpoint.valid(account), [field]: "x".repeat(max + 1) }),
      invalidField(field),
    );
  });

  it.each(Object.entries(endpoint.forbidden))(
    "refuses mass assignment of %s naming the field",
    async (field, value) => {
      await expectRefusedWithoutWrites(
        endpoint,
        (account) => json({ ...endpoint.valid(account), [field]: value }),
        invalidField(field),
      );
    },
  );
});

describe("bodies that carry nothing to change", () => {
  it("refuses PATCH /v1/me with an empty object", async () => {
    const me = ENDPOINTS.find((e) => e.method === "PATCH") as Endpoint;
    await expectRefusedWithoutWrites(me, () => json({}), invalidField("body"));
  });

  it("refuses sign-up with an empty body as invalid_request naming email and password", async () => {
    const signup = ENDPOINTS[0] as Endpoint;
    await expectRefusedWithoutWrites(signup, () => json({}), {
      status: 400,
      code: "invalid_request",
      fields: ["email", "password"],
    });
  });

  it("refuses a refresh without any refresh token naming refresh_token", async () => {
    const refresh = ENDPOINTS.find((e) => e.path === "/v1/token/refresh") as Endpoint;
    await expectRefusedWithoutWrites(refresh, () => ({}), invalidField("refresh_token"));
  });
});
