// Suspending and reactivating members (PATCH /v1/orgs/{id}/members/{userId} {status}): owners and
// admins only, an admin never on an owner, nobody on themselves; a suspension keeps the row and role,
// denylists the member's organization-scoped token (verify and RPC refuse it), and every organization
// route then answers them 404. A failed batch half-writes nothing.
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { claimsOf, introspect, refresh } from "./support/accounts";
import { dropAllFaults, injectFault } from "./support/faults";
import { call, expectProblem, readJson } from "./support/http";
import { createOrg, joinAs, membershipOf, scopeSession } from "./support/orgs";

/** Each test makes several accounts and organizations: room for a loaded machine. */
const HEAVY = { timeout: 30_000 };

afterEach(dropAllFaults);

type Account = Parameters<typeof scopeSession>[0];

function setStatus(actor: Account, orgId: string, userId: string, json: object): Promise<Response> {
  return call("PATCH", `/v1/orgs/${orgId}/members/${userId}`, { token: actor.tokens.access_token, json });
}

async function scopedToken(account: Account, orgId: string): Promise<string> {
  const response = await scopeSession(account, orgId);
  expect(response.status).toBe(200);
  return String((await readJson(response)).access_token);
}

describe("suspension", HEAVY, () => {
  it("keeps the role, refuses the scoped token everywhere, and hides the organization until reactivated", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "admin");
    const token = await scopedToken(member, org.id);
    const response = await setStatus(org.owner, org.id, member.userId, { status: "suspended" });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ user_id: member.userId, role: "admin", status: "suspended" });
    expect(await membershipOf(org.id, member.userId)).toEqual({ role: "admin", status: "suspended" });
    expect(await introspect(token)).toEqual({ active: false });
    expect(await exports.AuthService.verifyToken(token)).toEqual({ valid: false, code: "token_revoked" });
    await expectProblem(await call("GET", `/v1/orgs/${org.id}`, { token }), 404, "org_not_found");
    await expectProblem(await scopeSession(member, org.id), 404, "org_not_found");
    const rotated = await readJson(await refresh(member.tokens.refresh_token));
    expect(claimsOf(String(rotated.access_token)).org).toBeUndefined();
    const back = await setStatus(org.owner, org.id, member.userId, { status: "active" });
    expect(await readJson(back)).toMatchObject({ status: "active", role: "admin" });
    const access = String(rotated.access_token);
    expect((await call("GET", `/v1/orgs/${org.id}`, { token: access })).status).toBe(200);
  });

  it("an admin suspends members and admins, never an owner; a member nobody; nobody themselves", async () => {
    const org = await createOrg();
    const admin = await joinAs(org, "admin");
    const other = await joinAs(org, "admin");
    const member = await joinAs(org, "member");
    const suspend = { status: "suspended" };
    await expectProblem(await setStatus(admin, org.id, org.owner.userId, suspend), 403, "org_forbidden");
    await expectProblem(await setStatus(member, org.id, other.userId, suspend), 403, "org_forbidden");
    await expectProblem(await setStatus(admin, org.id, admin.userId, suspend), 403, "org_forbidden");
    await expectProblem(await setStatus(org.owner, org.id, org.owner.userId, suspend), 403, "org_forbidden");
    expect(await membershipOf(org.id, org.owner.userId)).toEqual({ role: "owner", status: "active" });
    expect(await membershipOf(org.id, other.userId)).toEqual({ role: "admin", status: "active" });
    expect((await setStatus(admin, org.id, other.userId, suspend)).status).toBe(200);
    expect((await setStatus(admin, org.id, member.userId, suspend)).status).toBe(200);
    // A suspended admin can no longer act.
    await expectProblem(await setStatus(other, org.id, member.userId, { status: "active" }), 404, "org_not_found");
    await expectProblem(await setStatus(admin, org.id, crypto.randomUUID(), suspend), 404, "member_not_found");
  });

  it("refuses a body with both role and status, neither, or an unknown status (400), changing nothing", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    for (const json of [{ role: "admin", status: "suspended" }, {}, { status: "banned" }, { status: null }]) {
      await expectProblem(await setStatus(org.owner, org.id, member.userId, json), 400, "invalid_request");
    }
    expect(await membershipOf(org.id, member.userId)).toEqual({ role: "member", status: "active" });
  });

  it("nothing is half-written when the suspension's batch fails: active, scope and token stay", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const token = await scopedToken(member, org.id);
    await injectFault("orgs_status_fault", "BEFORE UPDATE", "sessions");
    const response = await setStatus(org.owner, org.id, member.userId, { status: "suspended" });
    expect(response.status).toBeGreaterThanOrEqual(500);
    await dropAllFaults();
    expect(await membershipOf(org.id, member.userId)).toEqual({ role: "member", status: "active" });
    expect(await introspect(token)).toMatchObject({ active: true, org: org.id });
  });
});
