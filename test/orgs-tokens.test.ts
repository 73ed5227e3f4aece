// Organization-scoped tokens: POST /v1/session/org answers a token with org, role and org_slug; refresh
// re-reads the membership; a removed member's scoped token is refused by /v1/token/verify and the RPC
// after the denylist write, and their next refresh has no organization. A failed batch half-writes nothing.
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { claimsOf, introspect, refresh } from "./support/accounts";
import { dropAllFaults, injectFault } from "./support/faults";
import { call, expectProblem, readJson } from "./support/http";
import { createOrg, joinAs, membershipOf, scopeSession, verifiedAccount } from "./support/orgs";

afterEach(dropAllFaults);

async function scopedToken(account: Parameters<typeof scopeSession>[0], orgId: string): Promise<string> {
  const response = await scopeSession(account, orgId);
  expect(response.status).toBe(200);
  return String((await readJson(response)).access_token);
}

describe("POST /v1/session/org", () => {
  it("answers an access token carrying org, role and org_slug, which verify and RPC return", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "admin");
    const response = await scopeSession(member, org.id);
    const body = await readJson(response);
    expect(body).toMatchObject({ token_type: "Bearer", org: org.id, role: "admin", org_slug: org.slug });
    const token = String(body.access_token);
    expect(claimsOf(token)).toMatchObject({ sub: member.userId, org: org.id, role: "admin", org_slug: org.slug });
    expect(await introspect(token)).toMatchObject({ active: true, org: org.id, role: "admin" });
    const rpc = await exports.AuthService.verifyToken(token);
    expect(rpc).toMatchObject({ valid: true, claims: { org: org.id, role: "admin" } });
    expect(await exports.AuthService.getMembership(member.userId, org.id)).toMatchObject({
      found: true,
      membership: { orgId: org.id, role: "admin", orgSlug: org.slug },
    });
  });

  it("every refresh re-reads the membership: the role follows a change", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    await scopedToken(member, org.id);
    const first = await readJson(await refresh(member.tokens.refresh_token));
    expect(claimsOf(String(first.access_token))).toMatchObject({ org: org.id, role: "member" });
    await call("PATCH", `/v1/orgs/${org.id}/members/${member.userId}`, {
      token: org.owner.tokens.access_token,
      json: { role: "admin" },
    });
    const second = await readJson(await refresh(String(first.refresh_token)));
    expect(claimsOf(String(second.access_token))).toMatchObject({ org: org.id, role: "admin" });
  });

  it("refuses a non-member, an unknown and a deleted organization alike (404 org_not_found)", async () => {
    const org = await createOrg();
    const stranger = await verifiedAccount();
    await expectProblem(await scopeSession(stranger, org.id), 404, "org_not_found");
    await expectProblem(await scopeSession(stranger, crypto.randomUUID()), 404, "org_not_found");
    await call("DELETE", `/v1/orgs/${org.id}`, { token: org.owner.tokens.access_token });
    await expectProblem(await scopeSession(org.owner, org.id), 404, "org_not_found");
    const rotated = await readJson(await refresh(org.owner.tokens.refresh_token));
    expect(claimsOf(String(rotated.access_token)).org).toBeUndefined();
  });
});

describe("a removed member", () => {
  it("has their scoped token refused by /v1/token/verify and RPC, and their next refresh loses org", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const token = await scopedToken(member, org.id);
    const response = await call("DELETE", `/v1/orgs/${org.id}/members/${member.userId}`, {
      token: org.owner.tokens.access_token,
    });
    expect(response.status).toBe(204);
    expect(await membershipOf(org.id, member.userId)).toBeNull();
    expect(await introspect(token)).toEqual({ active: false });
    expect(await exports.AuthService.verifyToken(token)).toEqual({ valid: false, code: "token_revoked" });
    expect(await exports.AuthService.getMembership(member.userId, org.id)).toEqual({
      found: false,
      code: "member_not_found",
    });
    const rotated = await readJson(await refresh(member.tokens.refresh_token));
    const claims = claimsOf(String(rotated.access_token));
    expect(claims.org).toBeUndefined();
    expect(claims.role).toBeUndefined();
    // The person's own (unscoped) tokens of that session still verify.
    expect(await introspect(String(rotated.access_token))).toMatchObject({ active: true, sub: member.userId });
  });

  it("a suspended member's next refresh loses the organization claims", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    await scopedToken(member, org.id);
    await env.DB.prepare("update memberships set status = 'suspended' where user_id = ?").bind(member.userId).run();
    const rotated = await readJson(await refresh(member.tokens.refresh_token));
    expect(claimsOf(String(rotated.access_token)).org).toBeUndefined();
  });

  it("nothing is half-written when the removal's batch fails: the member and their scope stay", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const token = await scopedToken(member, org.id);
    await injectFault("orgs_sessions_fault", "BEFORE UPDATE", "sessions");
    const response = await call("DELETE", `/v1/orgs/${org.id}/members/${member.userId}`, {
      token: org.owner.tokens.access_token,
    });
    expect(response.status).toBeGreaterThanOrEqual(500);
    await dropAllFaults();
    expect(await membershipOf(org.id, member.userId)).toEqual({ role: "member", status: "active" });
    expect(await introspect(token)).toMatchObject({ active: true, org: org.id });
  });
});
