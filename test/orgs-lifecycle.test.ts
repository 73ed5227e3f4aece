// Organizations: create (creator = owner), list mine, read, update, soft delete; ids of other
// organizations answer 404 like unknown ones; bad input refused with nothing written.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, readJson } from "./support/http";
import { createOrg, joinAs, membershipOf, verifiedAccount } from "./support/orgs";

describe("organizations", () => {
  it("creates an organization whose creator is its owner, and lists it as theirs", async () => {
    const owner = await verifiedAccount();
    const response = await call("POST", "/v1/orgs", {
      token: owner.tokens.access_token,
      json: { slug: `acme-${crypto.randomUUID().slice(0, 6)}`, name: "Acme", settings: { plan: "pro" } },
    });
    expect(response.status).toBe(201);
    const org = await readJson(response);
    expect(org).toMatchObject({ name: "Acme", role: "owner", settings: { plan: "pro" } });
    expect(await membershipOf(String(org.id), owner.userId)).toEqual({ role: "owner", status: "active" });
    const list = await readJson(await call("GET", "/v1/orgs", { token: owner.tokens.access_token }));
    expect(list.organizations).toEqual([expect.objectContaining({ id: org.id, role: "owner" })]);
  });

  it("refuses a taken slug with 409 org_slug_taken, writing no second organization", async () => {
    const org = await createOrg();
    const other = await verifiedAccount();
    const response = await call("POST", "/v1/orgs", {
      token: other.tokens.access_token,
      json: { slug: org.slug, name: "Copy" },
    });
    await expectProblem(response, 409, "org_slug_taken");
    const count = await env.DB.prepare("select count(*) as n from organizations where slug = ?").bind(org.slug).first();
    expect(count).toEqual({ n: 1 });
    const memberships = await env.DB.prepare("select count(*) as n from memberships where user_id = ?")
      .bind(other.userId)
      .first();
    expect(memberships).toEqual({ n: 0 });
  });

  it.each([
    [{ slug: "Has Caps", name: "x" }, "slug"],
    [{ slug: "-dash", name: "x" }, "slug"],
    [{ slug: "ok", name: "" }, "name"],
    [{ slug: "ok", name: "x", owner: "me" }, "owner"],
    [{ slug: "ok", name: "x", settings: { nested: { a: 1 } } }, "expected string"],
  ])("refuses %j with 400 naming %s", async (json, field) => {
    const owner = await verifiedAccount();
    const response = await call("POST", "/v1/orgs", { token: owner.tokens.access_token, json });
    const problem = await expectProblem(response, 400, "invalid_request");
    expect(JSON.stringify(problem.errors)).toContain(field);
    const count = await env.DB.prepare("select count(*) as n from memberships where user_id = ?")
      .bind(owner.userId)
      .first();
    expect(count).toEqual({ n: 0 });
  });

  it("answers 404 org_not_found alike for an unknown id, a malformed one and another's organization", async () => {
    const org = await createOrg();
    const stranger = await verifiedAccount();
    for (const id of [org.id, crypto.randomUUID(), "not-a-uuid"]) {
      for (const [method, json] of [
        ["GET", undefined],
        ["PATCH", { name: "Mine now" }],
        ["DELETE", undefined],
      ] as const) {
        const response = await call(method, `/v1/orgs/${id}`, { token: stranger.tokens.access_token, json });
        await expectProblem(response, 404, "org_not_found");
      }
      await expectProblem(
        await call("GET", `/v1/orgs/${id}/members`, { token: stranger.tokens.access_token }),
        404,
        "org_not_found",
      );
    }
    const row = await env.DB.prepare("select name, deleted_at from organizations where id = ?").bind(org.id).first();
    expect(row).toEqual({ name: "Acme", deleted_at: null });
  });

  it("updates name and settings; a soft-deleted organization counts nowhere and frees its slug", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const token = org.owner.tokens.access_token;
    const patched = await call("PATCH", `/v1/orgs/${org.id}`, { token, json: { name: "Acme 2", settings: { a: 1 } } });
    expect(await readJson(patched)).toMatchObject({ name: "Acme 2", settings: { a: 1 }, slug: org.slug });
    expect((await call("DELETE", `/v1/orgs/${org.id}`, { token })).status).toBe(204);
    const row = await env.DB.prepare("select deleted_at from organizations where id = ?").bind(org.id).first();
    expect(row?.deleted_at).toEqual(expect.any(Number));
    await expectProblem(await call("GET", `/v1/orgs/${org.id}`, { token }), 404, "org_not_found");
    const list = await readJson(await call("GET", "/v1/orgs", { token: member.tokens.access_token }));
    expect(list.organizations).toEqual([]);
    const again = await call("POST", "/v1/orgs", { token, json: { slug: org.slug, name: "Reborn" } });
    expect(again.status).toBe(201);
  });
});
