// The endpoints that read a body, each with a body it accepts and what it must refuse, and the check
// that a bad body is refused with a clear 4xx problem, no stack trace, and D1 exactly as it was: for
// test/bad-input.test.ts (broken bodies) and test/bad-input-fields.test.ts (bad fields).
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { countRows, PASSWORD, signUp, type TestAccount, uniqueEmail } from "./accounts";
import { call, nextIp, ORIGIN } from "./http";

export type Body = Record<string, string>;

export interface Endpoint {
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

export const ENDPOINTS: Endpoint[] = [
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
    // Optional: an account without a password re-authenticates by a recent sign-in (test/oauth-social-interactions.test.ts).
    required: null,
    maxLengths: { password: 1024 },
    forbidden: { email_verified: true },
  },
];

export interface Sent {
  body?: BodyInit;
  contentType?: string;
  /** Streams the body so the request carries no Content-Length. */
  stream?: boolean;
}

export interface Expected {
  status: number;
  code: string;
  /** Each of these must appear as an `errors[].field`. */
  fields?: string[];
}

export interface Case {
  name: string;
  applies?: (endpoint: Endpoint) => boolean;
  send: (endpoint: Endpoint, account: TestAccount) => Sent;
  expect: (endpoint: Endpoint) => Expected;
}

export const json = (value: unknown): Sent => ({ body: JSON.stringify(value), contentType: "application/json" });
export const form = (text: string): Sent => ({ body: text, contentType: "application/x-www-form-urlencoded" });
export const invalidField = (field: string): Expected => ({ status: 400, code: "invalid_request", fields: [field] });

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

/** Sends `sent` to `endpoint` as `account` (its bearer token where the endpoint takes one). */
export function send(endpoint: Endpoint, account: TestAccount, sent: Sent): Promise<Response> {
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

export async function expectRefusedWithoutWrites(
  endpoint: Endpoint,
  sent: (account: TestAccount) => Sent,
  expected: Expected,
) {
  const account = await signUp();
  const before = await snapshotStorage(account.userId);
  await expectRefusal(await send(endpoint, account, sent(account)), expected);
  expect(await snapshotStorage(account.userId)).toEqual(before);
}
