// Broken bodies on every endpoint that reads one: malformed JSON, other media types and bodies over
// the size limit must each answer a clear 4xx problem with a stable code, leave D1 exactly as it was,
// and never show a stack trace. Bad fields in a well-formed body are in test/bad-input-fields.test.ts.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import {
  type Case,
  ENDPOINTS,
  type Endpoint,
  expectRefusedWithoutWrites,
  form,
  invalidField,
  json,
  send,
} from "./support/bad-input";

const OVER_LIMIT = "x".repeat(17 * 1024);

const BODY_CASES: Case[] = [
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
];

describe.each(ENDPOINTS)("$method $path", (endpoint) => {
  it("accepts the valid body the refusals below are built from", async () => {
    const account = await signUp();
    const response = await send(endpoint, account, json(endpoint.valid(account)));
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  });

  it.each(BODY_CASES)("refuses $name and writes nothing", async (c) => {
    await expectRefusedWithoutWrites(endpoint, (account) => c.send(endpoint, account), c.expect(endpoint));
  });
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
