// Bad fields in a well-formed body on every endpoint that reads one: missing, unknown, oversized or of
// the wrong type, operators and __proto__ keys smuggled in, repeated form keys, and user-row columns
// (mass assignment) must each answer 400 invalid_request naming the field, and leave D1 as it was.
import { describe, it } from "vitest";
import { type Case, ENDPOINTS, expectRefusedWithoutWrites, form, invalidField, json } from "./support/bad-input";

const FIELD_CASES: Case[] = [
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

describe.each(ENDPOINTS)("$method $path", (endpoint) => {
  it.each(FIELD_CASES.filter((c) => c.applies?.(endpoint) ?? true))("refuses $name and writes nothing", async (c) => {
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
