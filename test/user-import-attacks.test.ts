// The user import under attack and across surfaces: only an admin key gets in (test/admin-gate.test.ts
// walks every admin route; a person's token is checked here too), an imported unverified address
// opens nothing to whoever signs up with it later, the call is one admin_action event without row
// data, RPC importUsers answers as the route does, and crema renders an imported account's old id.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, signUp } from "./support/accounts";
import { call, expectProblem, readJson } from "./support/http";
import { BCRYPT } from "./support/legacy-hashes";
import { IMPORT, importTableCounts, importUsers, sharedAdminKey, uniqueRow, userByEmail } from "./support/user-import";

const OWNER_PASSWORD = "the imported owner's passphrase";
const ATTACKER_PASSWORD = "the attacker's own passphrase";

describe("who may import", () => {
  it("a person's access token is refused like no key, and nothing is written", async () => {
    const person = await signUp();
    const before = await importTableCounts();
    const response = await call("POST", IMPORT, { json: { users: [uniqueRow()] }, token: person.tokens.access_token });
    await expectProblem(response, 401, "invalid_api_key");
    await expectProblem(await call("POST", IMPORT, { json: { users: [uniqueRow()] } }), 401, "invalid_api_key");
    expect(await importTableCounts()).toEqual(before);
  });

  it("the wrong method answers 405 with Allow: POST", async () => {
    const response = await call("GET", IMPORT, { token: await sharedAdminKey() });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST");
  });
});

describe("an imported, unverified address", () => {
  it("a later sign-up with it opens no session into the imported account", async () => {
    const row = uniqueRow({ password: OWNER_PASSWORD, email_verified: false });
    const imported = (await importUsers([row])).results[0]?.user_id as string;
    const signup = await call("POST", "/v1/signup", { json: { email: row.email, password: ATTACKER_PASSWORD } });
    expect(signup.status).toBeLessThan(500);
    const body = await readJson(signup);
    if (typeof body.access_token === "string") expect(claimsOf(body.access_token).sub).not.toBe(imported);
    const login = await call("POST", "/v1/login", { json: { email: row.email, password: ATTACKER_PASSWORD } });
    const answer = await readJson(login);
    if (typeof answer.access_token === "string") expect(claimsOf(answer.access_token).sub).not.toBe(imported);
    expect(login.status === 200 ? claimsOf(String(answer.access_token)).sub : null).not.toBe(imported);
  });

  it("an import never writes over a signed-up account of that address", async () => {
    const person = await signUp();
    const answer = await importUsers([uniqueRow({ email: person.email, password: ATTACKER_PASSWORD })]);
    expect(answer.results[0]?.error).toMatchObject({ code: "email_taken", field: "email" });
    expect((await userByEmail(person.email))?.id).toBe(person.userId);
    expect(
      (await call("POST", "/v1/login", { json: { email: person.email, password: ATTACKER_PASSWORD } })).status,
    ).toBe(401);
  });
});

describe("the record of an import", () => {
  it("one admin_action event per call, with counts and no row data", async () => {
    const row = uniqueRow({ password: "never in an event 91", name: "Secret Name" });
    await importUsers([row, { bad: true }]);
    const events = await env.DB.prepare(
      "select detail from security_events where type = 'admin_action' and detail like '%import_users%' order by created_at desc, id desc limit 1",
    ).all<{ detail: string }>();
    const detail = events.results[0]?.detail ?? "";
    expect(JSON.parse(detail)).toMatchObject({
      action: "import_users",
      via: "api",
      created: 1,
      rejected: 1,
      unchanged: 0,
    });
    for (const value of [row.email, row.username, "never in an event", "Secret Name"])
      expect(detail).not.toContain(value);
  });
});

describe("RPC importUsers", () => {
  it("imports like the route, is idempotent, and refuses a bad batch with its code", async () => {
    const row = uniqueRow({ password_hash: BCRYPT[0]?.stored });
    const first = await exports.AuthService.importUsers({ users: [row] });
    expect(first).toMatchObject({ ok: true, created: 1, results: [{ index: 0, status: "created" }] });
    const again = await exports.AuthService.importUsers({ users: [row], dryRun: true });
    expect(again).toMatchObject({ ok: true, unchanged: 1, dry_run: true });
    const big = await exports.AuthService.importUsers({ users: Array.from({ length: 501 }, () => uniqueRow()) });
    expect(big).toMatchObject({ ok: false, code: "batch_too_large" });
    expect(await exports.AuthService.importUsers({ users: [] })).toMatchObject({ ok: false, code: "invalid_request" });
  });
});

describe("the old id in the dialects", () => {
  const cremaMe = async (email: string, password: string) => {
    const login = await call("POST", "/api/v1/auth", { json: { email, password } });
    expect(login.status).toBe(200);
    const { token } = await readJson<{ token: string }>(login);
    return readJson(await call("GET", "/api/v1/auth", { token }));
  };

  it("crema shows an integer legacy id as a number, a string one as a string, and ours otherwise", async () => {
    const number = 100_000 + Math.floor(Math.random() * 1e9);
    const rows = [
      uniqueRow({ password: OWNER_PASSWORD, email_verified: true, legacy_id: number }),
      uniqueRow({ password: OWNER_PASSWORD, email_verified: true, legacy_id: `u-${number}` }),
      uniqueRow({ password: OWNER_PASSWORD, email_verified: true, legacy_id: undefined }),
    ];
    const answer = await importUsers(rows);
    expect((await cremaMe(rows[0]?.email as string, OWNER_PASSWORD)).id).toBe(number);
    expect((await cremaMe(rows[1]?.email as string, OWNER_PASSWORD)).id).toBe(`u-${number}`);
    expect((await cremaMe(rows[2]?.email as string, OWNER_PASSWORD)).id).toBe(answer.results[2]?.user_id);
    // The token's subject stays ours: only the document's id field shows the old one.
    const login = await call("POST", "/v1/login", { json: { email: rows[0]?.email, password: OWNER_PASSWORD } });
    expect(claimsOf(String((await readJson(login)).access_token)).sub).toBe(answer.results[0]?.user_id);
  });
});
