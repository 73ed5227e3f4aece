// Who gets into the admin API: only an API key holding `admin` (Bearer or X-API-Key). Every admin route
// refuses no credential, a person's session token, a key without `admin`, and dead admin keys, with
// the same answers as the rest of key auth, and leaves the account it named untouched. A signed-in
// user cannot mint an admin key for themselves, nor roll one into a fresh secret.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { ADMIN_ROUTES, adminCall, adminCallByHeader, issueAdminKey, pathFor, userRow } from "./support/admin";
import { accountWithKey, keyRow, unknownKey } from "./support/api-keys";
import { call, expectProblem, readJson } from "./support/http";
import { awaitFreshMinute, randomIp } from "./support/throttle";

async function expectDeadKey(response: Response): Promise<void> {
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  await expectProblem(response, 401, "invalid_api_key");
}

async function adminKeyCount(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from api_keys where user_id = ? and scopes like '%admin%'")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("every admin route", () => {
  for (const [method, template] of ADMIN_ROUTES) {
    it(`${method} ${template} refuses no key, a session token, a non-admin key and dead admin keys`, async () => {
      const victim = await signUp();
      const path = pathFor(template, victim.userId);
      await expectDeadKey(await call(method, path));
      // A person's access token is not an API key, whoever holds it (the admin key's owner too).
      const admin = await issueAdminKey();
      await expectDeadKey(await call(method, path, { token: admin.owner.tokens.access_token }));
      await expectDeadKey(await call(method, path, { token: victim.tokens.access_token }));

      const { key: verifyKey } = await accountWithKey(["verify"]);
      const scoped = await adminCall(verifyKey.api_key, method, path);
      expect(scoped.headers.get("WWW-Authenticate")).toMatch(/error="insufficient_scope"/);
      await expectProblem(scoped, 403, "insufficient_scope");

      await expectDeadKey(await adminCall(await unknownKey(), method, path));
      const mistyped = `${admin.apiKey.slice(0, -1)}${admin.apiKey.endsWith("A") ? "B" : "A"}`;
      await expectDeadKey(await adminCall(mistyped, method, path));
      // The owner revokes the admin key: it dies at once, like any key.
      const revoked = await call("DELETE", `/v1/keys/${admin.id}`, { token: admin.owner.tokens.access_token });
      expect(revoked.status).toBe(204);
      await expectDeadKey(await adminCall(admin.apiKey, method, path));
      await expectDeadKey(await adminCallByHeader(admin.apiKey, method, path));

      // Nothing happened to the account named.
      expect(await userRow(victim.userId)).toMatchObject({ disabled_at: null, email_verified: 0 });
      expect((await call("GET", "/v1/me", { token: victim.tokens.access_token })).status).toBe(200);
    });
  }
});

describe("a wrong method on an admin path", () => {
  it("answers 405 with the Allow header, with or without a key", async () => {
    const id = crypto.randomUUID();
    for (const [method, path, allow] of [
      ["POST", "/v1/admin/users", "GET"],
      ["PUT", `/v1/admin/users/${id}`, "GET, DELETE"],
      ["GET", `/v1/admin/users/${id}/disable`, "POST"],
      ["DELETE", `/v1/admin/users/${id}/events`, "GET"],
      ["GET", `/v1/admin/users/${id}/mfa/reset`, "POST"],
    ] as const) {
      const response = await call(method, path);
      expect(response.headers.get("Allow"), `${method} ${path}`).toBe(allow);
      await expectProblem(response, 405, "method_not_allowed");
    }
  });
});

describe("a usable admin key", () => {
  it("is accepted as Bearer and in X-API-Key", async () => {
    const admin = await issueAdminKey();
    expect((await adminCall(admin.apiKey, "GET", `/v1/admin/users/${admin.owner.userId}`)).status).toBe(200);
    expect((await adminCallByHeader(admin.apiKey, "GET", `/v1/admin/users/${admin.owner.userId}`)).status).toBe(200);
  });

  it("dies with its owner's account: disabled owner, same 401 as any dead key", async () => {
    const admin = await issueAdminKey();
    const other = await issueAdminKey();
    const disabled = await adminCall(other.apiKey, "POST", `/v1/admin/users/${admin.owner.userId}/disable`);
    expect(disabled.status).toBe(200);
    await expectDeadKey(await adminCall(admin.apiKey, "GET", "/v1/admin/users"));
  });

  it("expired: refused like a revoked one", async () => {
    const owner = await signUp();
    const admin = await issueAdminKey(owner);
    await env.DB.prepare("update api_keys set expires_at = 1 where id = ?").bind(admin.id).run();
    await expectDeadKey(await adminCall(admin.apiKey, "GET", "/v1/admin/users"));
  });
});

describe("minting an admin key as a signed-in user (attacks)", () => {
  it("POST /v1/keys refuses `admin`, alone or beside other scopes, in parallel too, and stores nothing", async () => {
    const user = await signUp();
    const attempts = [["admin"], ["verify", "admin"], ["admin", "nap"], ["admin"], ["admin"]];
    const responses = await Promise.all(
      attempts.map((scopes) =>
        call("POST", "/v1/keys", { token: user.tokens.access_token, json: { name: "mine", scopes } }),
      ),
    );
    for (const response of responses) await expectProblem(response, 403, "insufficient_scope");
    expect(await adminKeyCount(user.userId)).toBe(0);
    const listed = await readJson<{ keys: unknown[] }>(
      await call("GET", "/v1/keys", { token: user.tokens.access_token }),
    );
    expect(listed.keys).toEqual([]);
  });

  it("the owner's session cannot roll an admin key into a fresh secret; the key stays as it was", async () => {
    const admin = await issueAdminKey();
    const rolls = await Promise.all(
      [0, 60, 0].map((grace_seconds) =>
        call("POST", `/v1/keys/${admin.id}/roll`, {
          token: admin.owner.tokens.access_token,
          json: { grace_seconds },
        }),
      ),
    );
    for (const response of rolls) await expectProblem(response, 403, "insufficient_scope");
    expect(await keyRow(admin.id)).toMatchObject({ successor_id: null, grace_ends_at: null, revoked_at: null });
    expect(await adminKeyCount(admin.owner.userId)).toBe(1);
    expect((await adminCall(admin.apiKey, "GET", "/v1/admin/users")).status).toBe(200);
  });
});

describe("refused admin credentials per client IP", { timeout: 60_000 }, () => {
  it("the 61st refusal in a minute from one address answers 429; a working key is not held to it", async () => {
    await awaitFreshMinute(10_000);
    const ip = randomIp();
    const refused = await Promise.all(Array.from({ length: 60 }, () => call("GET", "/v1/admin/users", { ip })));
    expect(refused.map((response) => response.status)).toEqual(Array(60).fill(401));
    const limited = await call("GET", "/v1/admin/users", { ip, token: await unknownKey() });
    await expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    // The operator's own key, from that same address, still works.
    const admin = await issueAdminKey();
    const ok = await call("GET", "/v1/admin/users?limit=1", { ip, token: admin.apiKey });
    expect(ok.status).toBe(200);
  });
});
