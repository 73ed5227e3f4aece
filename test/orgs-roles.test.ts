// Every role × action, allowed or refused as the permission table says (src/services/org-permissions.ts),
// with the state left in D1; and the last owner, who can neither leave nor be demoted, even in parallel.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORG_PERMISSIONS } from "../src/services/org-permissions";
import type { TestAccount } from "./support/accounts";
import { uniqueEmail } from "./support/accounts";
import { call, expectProblem } from "./support/http";
import { createOrg, joinAs, membershipOf, type TestOrg } from "./support/orgs";

type Role = "owner" | "admin" | "member";

interface World {
  org: TestOrg;
  actor: TestAccount;
  target: TestAccount;
}

/** An organization with a second owner (so the actor may be any role) and a plain member to act on. */
async function world(role: Role): Promise<World> {
  const org = await createOrg();
  const actor = role === "owner" ? org.owner : await joinAs(org, role);
  const target = await joinAs(org, "member");
  return { org, actor, target };
}

const ACTIONS: Record<string, (w: World) => Promise<Response>> = {
  read: (w) => call("GET", `/v1/orgs/${w.org.id}`, { token: w.actor.tokens.access_token }),
  list_members: (w) => call("GET", `/v1/orgs/${w.org.id}/members`, { token: w.actor.tokens.access_token }),
  update: (w) => call("PATCH", `/v1/orgs/${w.org.id}`, { token: w.actor.tokens.access_token, json: { name: "New" } }),
  delete: (w) => call("DELETE", `/v1/orgs/${w.org.id}`, { token: w.actor.tokens.access_token }),
  invite: (w) =>
    call("POST", `/v1/orgs/${w.org.id}/invitations`, {
      token: w.actor.tokens.access_token,
      json: { email: uniqueEmail(), role: "member" },
    }),
  manage_invitations: (w) => call("GET", `/v1/orgs/${w.org.id}/invitations`, { token: w.actor.tokens.access_token }),
  change_role: (w) =>
    call("PATCH", `/v1/orgs/${w.org.id}/members/${w.target.userId}`, {
      token: w.actor.tokens.access_token,
      json: { role: "admin" },
    }),
  remove_member: (w) =>
    call("DELETE", `/v1/orgs/${w.org.id}/members/${w.target.userId}`, { token: w.actor.tokens.access_token }),
  manage_api_keys: (w) =>
    call("POST", `/v1/orgs/${w.org.id}/api-keys`, {
      token: w.actor.tokens.access_token,
      json: { name: "billing", scopes: ["verify"] },
    }),
};

/** What each allowed action leaves behind, checked in D1. */
const EFFECT: Record<string, (w: World) => Promise<void>> = {
  change_role: async (w) => expect(await membershipOf(w.org.id, w.target.userId)).toMatchObject({ role: "admin" }),
  remove_member: async (w) => expect(await membershipOf(w.org.id, w.target.userId)).toBeNull(),
  manage_api_keys: async (w) => {
    const row = await env.DB.prepare("select user_id, created_by from api_keys where organization_id = ?")
      .bind(w.org.id)
      .first();
    expect(row).toEqual({ user_id: null, created_by: w.actor.userId });
  },
};

const CASES = (["owner", "admin", "member"] as const).flatMap((role) =>
  Object.keys(ACTIONS).map((action) => ({
    role,
    action,
    allowed: (ORG_PERMISSIONS as Record<string, readonly string[]>)[action]?.includes(role) ?? false,
  })),
);

describe("the permission table, role × action", () => {
  it.each(CASES)("$role $action → allowed: $allowed", { timeout: 20_000 }, async ({ role, action, allowed }) => {
    const w = await world(role);
    const response = await ACTIONS[action]?.(w);
    if (!response) throw new Error(action);
    if (allowed) {
      expect(response.status).toBeLessThan(300);
      await EFFECT[action]?.(w);
    } else {
      await expectProblem(response, 403, "org_forbidden");
      expect(await membershipOf(w.org.id, w.target.userId)).toEqual({ role: "member", status: "active" });
      const keys = env.DB.prepare("select count(*) as n from api_keys where organization_id = ?").bind(w.org.id);
      expect(await keys.first()).toEqual({ n: 0 });
    }
  });

  it("an admin may neither make an owner, nor demote or remove one (403), nor invite one", async () => {
    const org = await createOrg();
    const admin = await joinAs(org, "admin");
    const other = await joinAs(org, "member");
    const token = admin.tokens.access_token;
    const promote = await call("PATCH", `/v1/orgs/${org.id}/members/${other.userId}`, {
      token,
      json: { role: "owner" },
    });
    await expectProblem(promote, 403, "org_forbidden");
    const demote = await call("PATCH", `/v1/orgs/${org.id}/members/${org.owner.userId}`, {
      token,
      json: { role: "member" },
    });
    await expectProblem(demote, 403, "org_forbidden");
    await expectProblem(
      await call("DELETE", `/v1/orgs/${org.id}/members/${org.owner.userId}`, { token }),
      403,
      "org_forbidden",
    );
    const invite = await call("POST", `/v1/orgs/${org.id}/invitations`, {
      token,
      json: { email: uniqueEmail(), role: "owner" },
    });
    await expectProblem(invite, 403, "org_forbidden");
    expect(await membershipOf(org.id, org.owner.userId)).toEqual({ role: "owner", status: "active" });
    expect(await membershipOf(org.id, other.userId)).toEqual({ role: "member", status: "active" });
  });
});

describe("the last owner", () => {
  it("cannot leave or demote themselves (409 last_owner); with a second owner, one may", async () => {
    const org = await createOrg();
    const token = org.owner.tokens.access_token;
    await expectProblem(await call("POST", `/v1/orgs/${org.id}/leave`, { token }), 409, "last_owner");
    const demote = await call("PATCH", `/v1/orgs/${org.id}/members/${org.owner.userId}`, {
      token,
      json: { role: "admin" },
    });
    await expectProblem(demote, 409, "last_owner");
    expect(await membershipOf(org.id, org.owner.userId)).toEqual({ role: "owner", status: "active" });
    const second = await joinAs(org, "owner");
    expect((await call("POST", `/v1/orgs/${org.id}/leave`, { token })).status).toBe(204);
    expect(await membershipOf(org.id, org.owner.userId)).toBeNull();
    expect(await membershipOf(org.id, second.userId)).toEqual({ role: "owner", status: "active" });
  });

  it("two owners leaving at once: exactly one leaves, one owner stays (one statement decides)", async () => {
    const org = await createOrg();
    const second = await joinAs(org, "owner");
    const answers = await Promise.all(
      [org.owner, second].map((owner) =>
        call("POST", `/v1/orgs/${org.id}/leave`, { token: owner.tokens.access_token }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([204, 409]);
    const left = [await membershipOf(org.id, org.owner.userId), await membershipOf(org.id, second.userId)];
    expect(left.filter((row) => row?.role === "owner")).toHaveLength(1);
  });

  it("two owners demoting each other at once: one stays owner", async () => {
    const org = await createOrg();
    const second = await joinAs(org, "owner");
    await Promise.all([
      call("PATCH", `/v1/orgs/${org.id}/members/${second.userId}`, {
        token: org.owner.tokens.access_token,
        json: { role: "member" },
      }),
      call("PATCH", `/v1/orgs/${org.id}/members/${org.owner.userId}`, {
        token: second.tokens.access_token,
        json: { role: "member" },
      }),
    ]);
    const roles = [await membershipOf(org.id, org.owner.userId), await membershipOf(org.id, second.userId)];
    expect(roles.filter((row) => row?.role === "owner")).toHaveLength(1);
  });
});
