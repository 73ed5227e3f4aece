// An operator sets a user's organization role (issue 14's admin API): only an admin key, only for an
// existing membership of a live organization, never demoting the last owner, each change an admin
// action and a membership event; the same over RPC.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { adminCall, adminEventsAbout, eventually, issueAdminKey } from "./support/admin";
import { accountWithKey } from "./support/api-keys";
import { call, expectProblem, readJson } from "./support/http";
import { createOrg, joinAs, membershipOf } from "./support/orgs";

const rolePath = (userId: string, orgId: string) => `/v1/admin/users/${userId}/orgs/${orgId}/role`;

describe("POST /v1/admin/users/{id}/orgs/{orgId}/role", () => {
  it("sets a member's role, and records it as an admin action", async () => {
    const { apiKey } = await issueAdminKey();
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const response = await adminCall(apiKey, "POST", rolePath(member.userId, org.id), { json: { role: "admin" } });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({
      organization_id: org.id,
      user_id: member.userId,
      role: "admin",
      status: "active",
    });
    expect((await membershipOf(org.id, member.userId))?.role).toBe("admin");
    const events = await eventually(
      () => adminEventsAbout(member.userId),
      (rows) => rows.length > 0,
    );
    expect(events.map((event) => JSON.parse(event.detail).action)).toContain("set_org_role");
  });

  it("never demotes the last owner (409 last_owner, the row unchanged)", async () => {
    const { apiKey } = await issueAdminKey();
    const org = await createOrg();
    const response = await adminCall(apiKey, "POST", rolePath(org.owner.userId, org.id), { json: { role: "member" } });
    await expectProblem(response, 409, "last_owner");
    expect((await membershipOf(org.id, org.owner.userId))?.role).toBe("owner");
  });

  it("refuses a non-member, an unknown or deleted organization, and a bad role", async () => {
    const { apiKey } = await issueAdminKey();
    const org = await createOrg();
    const outsider = await signUp();
    const path = rolePath(outsider.userId, org.id);
    await expectProblem(await adminCall(apiKey, "POST", path, { json: { role: "admin" } }), 404, "member_not_found");
    expect(await membershipOf(org.id, outsider.userId)).toBeNull();
    const unknown = rolePath(outsider.userId, crypto.randomUUID());
    await expectProblem(await adminCall(apiKey, "POST", unknown, { json: { role: "admin" } }), 404, "org_not_found");
    const member = await joinAs(org, "member");
    const deleted = await call("DELETE", `/v1/orgs/${org.id}`, { token: org.owner.tokens.access_token });
    expect(deleted.status).toBe(204);
    const gone = await adminCall(apiKey, "POST", rolePath(member.userId, org.id), { json: { role: "admin" } });
    await expectProblem(gone, 404, "org_not_found");
    for (const json of [{ role: "root" }, {}, { role: "admin", extra: 1 }]) {
      const bad = await adminCall(apiKey, "POST", rolePath(member.userId, org.id), { json });
      await expectProblem(bad, 400, "invalid_request");
    }
  });

  it("refuses a person's token and a key without admin", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const { key } = await accountWithKey(["verify"]);
    const path = rolePath(member.userId, org.id);
    const byOwner = await call("POST", path, { token: org.owner.tokens.access_token, json: { role: "admin" } });
    await expectProblem(byOwner, 401, "invalid_api_key");
    await expectProblem(
      await adminCall(key.api_key, "POST", path, { json: { role: "admin" } }),
      403,
      "insufficient_scope",
    );
    expect((await membershipOf(org.id, member.userId))?.role).toBe("member");
  });
});

describe("AuthService.adminSetOrgRole", () => {
  it("answers the membership, or a typed refusal", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    expect(await exports.AuthService.adminSetOrgRole(member.userId, org.id, "admin")).toEqual({
      ok: true,
      membership: { organization_id: org.id, user_id: member.userId, role: "admin", status: "active" },
    });
    expect(await exports.AuthService.adminSetOrgRole(org.owner.userId, org.id, "member")).toEqual({
      ok: false,
      code: "last_owner",
    });
    expect(await exports.AuthService.adminSetOrgRole(member.userId, org.id, "root")).toEqual({
      ok: false,
      code: "invalid_request",
    });
  });
});
