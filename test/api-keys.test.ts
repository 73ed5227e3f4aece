// Managing API keys: create (shown once, stored only as a keyed hash), list (never the secret),
// revoke, roll; what a signed-in user may and may not mint; and another user's keys stay out of reach.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { accountWithKey, createKey, keyRow, verifyWithKey } from "./support/api-keys";
import { call, expectProblem, expectRefusedAsBearer, readJson, UUID } from "./support/http";

describe("POST /v1/keys", () => {
  it("creates a key shown once: the answer carries the key, D1 only its HMAC and display prefix", async () => {
    const account = await signUp();
    const response = await call("POST", "/v1/keys", {
      token: account.tokens.access_token,
      json: { name: "billing", scopes: ["verify", "nap", "verify"], expires_in: 3600 },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const key = await readJson(response);
    expect(key).toMatchObject({ id: expect.stringMatching(UUID), name: "billing", scopes: ["verify", "nap"] });
    expect(key.api_key).toMatch(/^ea_sk_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
    expect(key.prefix).toBe(String(key.api_key).slice(0, 10));
    expect(Date.parse(String(key.expires_at)) - Date.parse(String(key.created_at))).toBe(3_600_000);
    const row = await keyRow(String(key.id));
    expect(row).toMatchObject({ user_id: account.userId, organization_id: null, prefix: key.prefix, revoked_at: null });
    expect(JSON.stringify(row)).not.toContain(String(key.api_key).slice(10, 38));
    expect(String(row?.secret_hash)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses to mint the reserved admin scope (403 insufficient_scope), storing nothing", async () => {
    const account = await signUp();
    const response = await call("POST", "/v1/keys", {
      token: account.tokens.access_token,
      json: { name: "root", scopes: ["verify", "admin"] },
    });
    await expectProblem(response, 403, "insufficient_scope");
    const count = await env.DB.prepare("select count(*) as n from api_keys where user_id = ?")
      .bind(account.userId)
      .first();
    expect(count).toEqual({ n: 0 });
  });

  it.each([
    [{ name: "x", scopes: ["write"] }, "scopes"],
    [{ name: "x", scopes: [] }, "scopes"],
    [{ name: "", scopes: ["verify"] }, "name"],
    [{ name: "x".repeat(101), scopes: ["verify"] }, "name"],
    [{ name: "x", scopes: ["verify"], expires_in: 10 }, "expires_in"],
    [{ name: "x", scopes: ["verify"], expires_in: 1.5 }, "expires_in"],
    [{ name: "x", scopes: ["verify"], owner: "someone" }, "owner"],
  ])("refuses %j with 400 naming %s", async (json, field) => {
    const account = await signUp();
    const response = await call("POST", "/v1/keys", { token: account.tokens.access_token, json });
    const problem = await expectProblem(response, 400, "invalid_request");
    expect(JSON.stringify(problem.errors)).toContain(field);
  });

  it("refuses anonymous callers and API keys: only a person's session manages keys", async () => {
    await expectRefusedAsBearer(await call("POST", "/v1/keys", { json: { name: "x", scopes: ["verify"] } }));
    const { key } = await accountWithKey();
    await expectRefusedAsBearer(await call("GET", "/v1/keys", { token: key.api_key }));
    await expectRefusedAsBearer(
      await call("POST", "/v1/keys", { token: key.api_key, json: { name: "x", scopes: ["verify"] } }),
    );
  });

  it("caps an account at 50 usable keys (409 too_many_api_keys); a revoked one frees its place", {
    timeout: 20_000,
  }, async () => {
    const account = await signUp();
    const keys = await Promise.all(Array.from({ length: 50 }, (_, n) => createKey(account, { name: `k${n}` })));
    const over = await call("POST", "/v1/keys", {
      token: account.tokens.access_token,
      json: { name: "more", scopes: ["verify"] },
    });
    await expectProblem(over, 409, "too_many_api_keys");
    const first = keys[0]?.id ?? "";
    expect((await call("DELETE", `/v1/keys/${first}`, { token: account.tokens.access_token })).status).toBe(204);
    await createKey(account, { name: "again" });
  });
});

describe("GET /v1/keys", () => {
  it("lists the user's usable keys, newest first, never the key or its hash", async () => {
    const { account, key: older } = await accountWithKey();
    const newer = await createKey(account, { name: "second", scopes: ["nap"] });
    await createKey(await signUp(), { name: "someone else's" });
    const response = await call("GET", "/v1/keys", { token: account.tokens.access_token });
    expect(response.status).toBe(200);
    const { keys } = await readJson<{ keys: Record<string, unknown>[] }>(response);
    expect(keys.map((key) => key.id).sort()).toEqual([older.id, newer.id].sort());
    const text = JSON.stringify(keys);
    expect(text).not.toContain(older.api_key);
    expect(text).not.toContain("secret_hash");
    const { api_key: _, ...view } = newer;
    expect(keys).toContainEqual(view);
  });
});

describe("DELETE /v1/keys/{id}", () => {
  it("revokes at once: the key is refused next, gone from the list, and a second revoke is 404", async () => {
    const { account, key } = await accountWithKey();
    const token = account.tokens.access_token;
    expect((await verifyWithKey(key.api_key, token)).status).toBe(200);
    expect((await call("DELETE", `/v1/keys/${key.id}`, { token })).status).toBe(204);
    await expectProblem(await verifyWithKey(key.api_key, token), 401, "invalid_api_key");
    expect((await readJson<{ keys: unknown[] }>(await call("GET", "/v1/keys", { token }))).keys).toEqual([]);
    await expectProblem(await call("DELETE", `/v1/keys/${key.id}`, { token }), 404, "api_key_not_found");
    await expectProblem(await call("DELETE", "/v1/keys/not-a-uuid", { token }), 404, "api_key_not_found");
  });
});

describe("attacks on another user's keys", () => {
  it("cannot revoke or roll someone else's key (404, the key untouched and still working)", async () => {
    const { account: victim, key } = await accountWithKey();
    const attacker = await signUp();
    const token = attacker.tokens.access_token;
    await expectProblem(await call("DELETE", `/v1/keys/${key.id}`, { token }), 404, "api_key_not_found");
    const roll = await call("POST", `/v1/keys/${key.id}/roll`, { token, json: { grace_seconds: 0 } });
    await expectProblem(roll, 404, "api_key_not_found");
    expect(await keyRow(key.id)).toMatchObject({ revoked_at: null, successor_id: null, grace_ends_at: null });
    expect((await verifyWithKey(key.api_key, victim.tokens.access_token)).status).toBe(200);
    const count = await env.DB.prepare("select count(*) as n from api_keys where user_id = ?")
      .bind(victim.userId)
      .first();
    expect(count).toEqual({ n: 1 });
  });

  it("loses its keys with the account: deleting the user deletes its keys", async () => {
    const { account, key } = await accountWithKey();
    const response = await call("DELETE", "/v1/me", {
      token: account.tokens.access_token,
      json: { password: account.password },
    });
    expect(response.status).toBe(204);
    expect(await keyRow(key.id)).toBeNull();
  });
});
