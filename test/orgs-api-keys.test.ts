// Organization-owned API keys (issue 14): made by an owner or admin, owned by the organization (not the
// member), usable for what their scopes allow, outliving the member who made them, and dead with the
// organization. Each is tested as the attack it answers: another organization's manager, a person's
// own key routes, a reserved scope, a flood of creations past the cap, a squatter's key.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, signUp, type TestAccount } from "./support/accounts";
import { issueAdminKey } from "./support/admin";
import { createKey, type IssuedKey, keyRow, verifyWithKey } from "./support/api-keys";
import { call, callAndSettle, expectProblem, expectRefusedAsBearer, readJson } from "./support/http";
import { latestCode } from "./support/mail";
import { createOrg, joinAs, type TestOrg } from "./support/orgs";
import { forgot, NEW_PASSWORD } from "./support/password-reset";
import { eventsOfType } from "./support/security-events";

const keysPath = (org: TestOrg) => `/v1/orgs/${org.id}/api-keys`;

async function createOrgKey(org: TestOrg, actor: TestAccount = org.owner, body: Record<string, unknown> = {}) {
  const response = await callAndSettle("POST", keysPath(org), {
    token: actor.tokens.access_token,
    json: { name: "billing backend", scopes: ["verify"], ...body },
  });
  expect(response.status).toBe(201);
  return readJson<IssuedKey & { organization_id: string | null; created_by: string | null }>(response);
}

/** A live person's token, for the key to verify. */
async function personToken(): Promise<string> {
  return (await signUp()).tokens.access_token;
}

async function expectKeyWorks(apiKey: string, works: boolean): Promise<void> {
  const response = await verifyWithKey(apiKey, await personToken());
  if (works) {
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ active: true });
  } else await expectProblem(response, 401, "invalid_api_key");
}

function exchange(apiKey: string): Promise<Response> {
  return call("POST", "/v1/oauth/token", { form: { grant_type: "client_credentials" }, token: apiKey });
}

describe("an organization's API key", () => {
  it("is owned by the organization, shown once, listed without its secret, and works for its scopes", async () => {
    const org = await createOrg();
    const admin = await joinAs(org, "admin");
    const key = await createOrgKey(org, admin, { scopes: ["verify", "nap"] });
    expect(key).toMatchObject({ organization_id: org.id, created_by: admin.userId, scopes: ["verify", "nap"] });
    expect(key.api_key).toMatch(/^ea_sk_/);
    expect(await keyRow(key.id)).toMatchObject({ user_id: null, organization_id: org.id, created_by: admin.userId });

    const list = await call("GET", keysPath(org), { token: org.owner.tokens.access_token });
    expect(list.status).toBe(200);
    const listed = await readJson<{ keys: Record<string, unknown>[] }>(list);
    expect(listed.keys.map((listedKey) => listedKey.id)).toEqual([key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.api_key);
    expect(listed.keys[0]).not.toHaveProperty("api_key");
    // Not among the admin's own keys: it is not theirs.
    const own = await readJson<{ keys: unknown[] }>(
      await call("GET", "/v1/keys", { token: admin.tokens.access_token }),
    );
    expect(own.keys).toEqual([]);

    await expectKeyWorks(key.api_key, true);
    const [created] = await eventsOfType(admin.userId, "api_key_created");
    expect(created).toMatchObject({ org_id: org.id, actor_user_id: admin.userId });
    expect(created?.detail).toEqual({ key_id: key.id, scopes: "verify nap" });
  });

  it("answers RPC verifyApiKey with the organization, and no person", async () => {
    const org = await createOrg();
    const key = await createOrgKey(org);
    const answer = await exports.AuthService.verifyApiKey(key.api_key);
    expect(answer).toMatchObject({
      valid: true,
      user: null,
      organization: { id: org.id, slug: org.slug, name: "Acme" },
      key: { id: key.id, organization_id: org.id },
    });
  });

  it("exchanges for a client_credentials token naming the organization and no person", async () => {
    const org = await createOrg();
    const key = await createOrgKey(org);
    const response = await exchange(key.api_key);
    expect(response.status).toBe(200);
    const { access_token, scope } = await readJson<{ access_token: string; scope: string }>(response);
    expect(scope).toBe("verify");
    const claims = claimsOf(access_token) as unknown as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: key.id, sid: key.id, client_id: key.id, org: org.id, org_slug: org.slug });
    for (const personal of ["email", "email_verified", "role"]) expect(claims).not.toHaveProperty(personal);

    const verified = await call("POST", "/v1/token/verify", { json: { token: access_token } });
    expect(await readJson(verified)).toMatchObject({ active: true, sub: key.id, org: org.id });
    // It acts for no person: no route that needs a session opens for it.
    await expectRefusedAsBearer(await call("GET", "/v1/me", { token: access_token }));
    await expectRefusedAsBearer(await call("GET", `/v1/orgs/${org.id}`, { token: access_token }));
  });

  it("keeps working when its maker is removed, disabled, or deletes their account", async () => {
    const org = await createOrg();
    const maker = await joinAs(org, "admin");
    const key = await createOrgKey(org, maker);

    const removed = await call("DELETE", `/v1/orgs/${org.id}/members/${maker.userId}`, {
      token: org.owner.tokens.access_token,
    });
    expect(removed.status).toBe(204);
    await expectKeyWorks(key.api_key, true);

    const { apiKey: adminKey } = await issueAdminKey();
    const disabled = await callAndSettle("POST", `/v1/admin/users/${maker.userId}/disable`, { token: adminKey });
    expect(disabled.status).toBe(200);
    await expectKeyWorks(key.api_key, true);

    const deleted = await callAndSettle("DELETE", `/v1/admin/users/${maker.userId}`, { token: adminKey });
    expect(deleted.status).toBe(204);
    await expectKeyWorks(key.api_key, true);
    expect(await keyRow(key.id)).toMatchObject({ organization_id: org.id, created_by: null, revoked_at: null });
  });

  it("dies with the organization: refused at once, its tokens denylisted, its row revoked", async () => {
    const org = await createOrg();
    const key = await createOrgKey(org);
    const { access_token } = await readJson<{ access_token: string }>(await exchange(key.api_key));
    await expectKeyWorks(key.api_key, true);

    const deleted = await call("DELETE", `/v1/orgs/${org.id}`, { token: org.owner.tokens.access_token });
    expect(deleted.status).toBe(204);
    await expectKeyWorks(key.api_key, false);
    expect(await readJson(await exchange(key.api_key))).toMatchObject({ error: "invalid_client" });
    const verified = await call("POST", "/v1/token/verify", { json: { token: access_token } });
    expect(await readJson(verified)).toEqual({ active: false });
    expect((await keyRow(key.id))?.revoked_at).not.toBeNull();
    expect(await exports.AuthService.verifyApiKey(key.api_key)).toEqual({ valid: false, code: "invalid_api_key" });
  });

  it("is revoked and rolled through the organization's routes only", async () => {
    const org = await createOrg();
    const key = await createOrgKey(org);
    // A person's own key routes do not reach it.
    const viaOwn = await call("DELETE", `/v1/keys/${key.id}`, { token: org.owner.tokens.access_token });
    await expectProblem(viaOwn, 404, "api_key_not_found");
    const rollOwn = await call("POST", `/v1/keys/${key.id}/roll`, {
      token: org.owner.tokens.access_token,
      json: { grace_seconds: 60 },
    });
    await expectProblem(rollOwn, 404, "api_key_not_found");
    await expectKeyWorks(key.api_key, true);

    const rolled = await callAndSettle("POST", `${keysPath(org)}/${key.id}/roll`, {
      token: org.owner.tokens.access_token,
      json: { grace_seconds: 0 },
    });
    expect(rolled.status).toBe(201);
    const successor = await readJson<IssuedKey & { organization_id: string }>(rolled);
    expect(successor).toMatchObject({ organization_id: org.id, predecessor_id: key.id, scopes: ["verify"] });
    await expectKeyWorks(key.api_key, false);
    await expectKeyWorks(successor.api_key, true);

    const revoked = await callAndSettle("DELETE", `${keysPath(org)}/${successor.id}`, {
      token: org.owner.tokens.access_token,
    });
    expect(revoked.status).toBe(204);
    await expectKeyWorks(successor.api_key, false);
    const again = await call("DELETE", `${keysPath(org)}/${successor.id}`, { token: org.owner.tokens.access_token });
    await expectProblem(again, 404, "api_key_not_found");
    const [revokedEvent] = await eventsOfType(org.owner.userId, "api_key_revoked");
    expect(revokedEvent).toMatchObject({ org_id: org.id, detail: { key_id: successor.id } });
    const [rolledEvent] = await eventsOfType(org.owner.userId, "api_key_rolled");
    expect(rolledEvent).toMatchObject({ org_id: org.id, detail: { key_id: key.id, successor_id: successor.id } });
  });
});

describe("attacks on an organization's keys", () => {
  it("another organization's owner can neither list, revoke nor roll them (404 as unknown)", async () => {
    const victim = await createOrg();
    const key = await createOrgKey(victim);
    const attacker = await createOrg();
    const token = attacker.owner.tokens.access_token;

    await expectProblem(await call("GET", keysPath(victim), { token }), 404, "org_not_found");
    await expectProblem(await call("DELETE", `${keysPath(victim)}/${key.id}`, { token }), 404, "org_not_found");
    // Through their own organization's path, the victim's key id names nothing.
    await expectProblem(await call("DELETE", `${keysPath(attacker)}/${key.id}`, { token }), 404, "api_key_not_found");
    const roll = await call("POST", `${keysPath(attacker)}/${key.id}/roll`, { token, json: { grace_seconds: 0 } });
    await expectProblem(roll, 404, "api_key_not_found");
    expect(await keyRow(key.id)).toMatchObject({ revoked_at: null, successor_id: null });
    await expectKeyWorks(key.api_key, true);
  });

  it("a person's own key id names nothing under an organization they manage", async () => {
    const org = await createOrg();
    const own = await createKey(org.owner);
    const response = await call("DELETE", `${keysPath(org)}/${own.id}`, { token: org.owner.tokens.access_token });
    await expectProblem(response, 404, "api_key_not_found");
    expect(await keyRow(own.id)).toMatchObject({ revoked_at: null, organization_id: null });
  });

  it("a member, a non-member and a malformed id are refused, and nothing is written", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const outsider = await signUp();
    const body = { name: "x", scopes: ["verify"] };
    const asMember = await call("POST", keysPath(org), { token: member.tokens.access_token, json: body });
    await expectProblem(asMember, 403, "org_forbidden");
    await expectProblem(await call("GET", keysPath(org), { token: member.tokens.access_token }), 403, "org_forbidden");
    const asOutsider = await call("POST", keysPath(org), { token: outsider.tokens.access_token, json: body });
    await expectProblem(asOutsider, 404, "org_not_found");
    const malformed = await call("POST", "/v1/orgs/not-a-uuid/api-keys", {
      token: org.owner.tokens.access_token,
      json: body,
    });
    await expectProblem(malformed, 404, "org_not_found");
    const badKeyId = await call("DELETE", `${keysPath(org)}/not-a-uuid`, { token: org.owner.tokens.access_token });
    await expectProblem(badKeyId, 404, "api_key_not_found");
    await expectProblem(await call("POST", keysPath(org), { json: body }), 401, "invalid_token");
    const count = await env.DB.prepare("select count(*) as n from api_keys where organization_id = ?")
      .bind(org.id)
      .first();
    expect(count).toEqual({ n: 0 });
  });

  it("an API key cannot manage an organization's keys, not even one of the organization's own", async () => {
    const org = await createOrg();
    const key = await createOrgKey(org);
    const response = await call("POST", keysPath(org), { token: key.api_key, json: { name: "x", scopes: ["verify"] } });
    expect(response.status).toBe(401);
    const listed = await call("GET", keysPath(org), { headers: { "X-API-Key": key.api_key } });
    expect(listed.status).toBe(401);
  });

  it("refuses the reserved `admin` scope and malformed bodies, writing nothing", async () => {
    const org = await createOrg();
    const token = org.owner.tokens.access_token;
    const reserved = await call("POST", keysPath(org), { token, json: { name: "ops", scopes: ["admin"] } });
    await expectProblem(reserved, 403, "insufficient_scope");
    for (const json of [
      { name: "", scopes: ["verify"] },
      { name: "x", scopes: [] },
      { name: "x", scopes: ["root"] },
    ]) {
      await expectProblem(await call("POST", keysPath(org), { token, json }), 400, "invalid_request");
    }
    const count = await env.DB.prepare("select count(*) as n from api_keys where organization_id = ?")
      .bind(org.id)
      .first();
    expect(count).toEqual({ n: 0 });
  });

  it("holds at most 50 usable keys however many creations race", async () => {
    const org = await createOrg();
    const token = org.owner.tokens.access_token;
    const answers = await Promise.all(
      Array.from({ length: 56 }, (_, n) =>
        call("POST", keysPath(org), { token, json: { name: `k${n}`, scopes: ["verify"] } }),
      ),
    );
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(50);
    expect(statuses.filter((status) => status === 409)).toHaveLength(6);
    const count = await env.DB.prepare("select count(*) as n from api_keys where organization_id = ?")
      .bind(org.id)
      .first();
    expect(count).toEqual({ n: 50 });
    // The owner's own allowance is separate.
    await createKey(org.owner);
  });

  it("a squatter's organization key dies when the address's owner proves it", async () => {
    // Verification is optional in the test env: an unverified account signs in, makes an organization and a key.
    const squatter = await signUp();
    const org = await createOrg(squatter);
    const key = await createOrgKey(org, squatter);
    await expectKeyWorks(key.api_key, true);

    const { requestId } = await forgot(squatter.email);
    const { code } = await latestCode(squatter.email, "reset_password");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    await expectKeyWorks(key.api_key, false);
    expect((await keyRow(key.id))?.revoked_at).not.toBeNull();
  });
});

describe("the api_keys table", () => {
  it("refuses a key with no owner or with two (the one-owner CHECK), in real D1", async () => {
    const org = await createOrg();
    const insert = (id: string, userId: string | null, orgId: string | null) =>
      env.DB.prepare(
        "insert into api_keys (id, user_id, organization_id, name, scopes, prefix, secret_hash, created_at) values (?, ?, ?, 'n', '[]', 'p', ?, 1)",
      )
        .bind(id, userId, orgId, crypto.randomUUID())
        .run();
    const none = crypto.randomUUID();
    const both = crypto.randomUUID();
    await expect(insert(none, null, null)).rejects.toThrow(/CHECK constraint failed/);
    await expect(insert(both, org.owner.userId, org.id)).rejects.toThrow(/CHECK constraint failed/);
    expect(await keyRow(none)).toBeNull();
    expect(await keyRow(both)).toBeNull();
  });
});
