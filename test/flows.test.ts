// Sign-in flows (issue 13): a login of a user with two or more organizations answers a flow and no
// session; GET /v1/flows/{id} tells what is due; POST /v1/flows/{id}/org answers tokens scoped to the
// chosen organization, once. Users with 0 or 1 organization log in as before. Suspended memberships
// and deleted organizations never count; a flow expires after 10 minutes.
import { describe, expect, it } from "vitest";
import { claimsOf, refresh, sessionRowCount } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import {
  chooseOrg,
  flowRowsOf,
  login,
  memberOfOrgs,
  readFlow,
  sessionOrgsOf,
  startFlow,
  suspendMembership,
} from "./support/flows";
import { call, expectProblem, readJson } from "./support/http";
import { createOrg, joinAs, verifiedAccount } from "./support/orgs";

describe("login of a user with several organizations", () => {
  it("answers a flow (org due, the organizations with roles) and opens no session", async () => {
    const other = await createOrg();
    const member = await joinAs(other, "admin");
    const { orgs } = await memberOfOrgs(1, member);
    const flow = await startFlow(member.email);
    expect(flow).toEqual({
      flow_id: expect.stringMatching(/^[\w-]{43}$/),
      due: ["org"],
      orgs: expect.arrayContaining([
        { id: other.id, slug: other.slug, name: "Acme", role: "admin" },
        { id: orgs[0]?.id, slug: orgs[0]?.slug, name: "Acme", role: "owner" },
      ]),
      expires_in: 600,
    });
    expect(flow.orgs).toHaveLength(2);
    expect(await sessionRowCount(member.userId)).toBe(1);
    const [row] = await flowRowsOf(member.userId);
    expect(row).toMatchObject({ due: '["org"]', consumed_at: null, organization_id: null });
    expect((row?.expires_at ?? 0) - (row?.created_at ?? 0)).toBe(600);
  });

  it("GET /v1/flows/{id} tells what is due and offers the organizations, without consuming the flow", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const flow = await startFlow(account.email);
    for (let i = 0; i < 2; i += 1) {
      const response = await readFlow(flow.flow_id);
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toContain("no-store");
      const body = await readJson(response);
      expect(body).toMatchObject({ due: ["org"], return_to: null });
      const offered = (body.orgs as { id: string }[]).map((org) => org.id).sort();
      expect(offered).toEqual(orgs.map((org) => org.id).sort());
      expect(Date.parse(String(body.expires_at)) - Date.parse(String(body.created_at))).toBe(600_000);
    }
    expect((await flowRowsOf(account.userId))[0]?.consumed_at).toBeNull();
  });

  it("POST /v1/flows/{id}/org answers tokens with org, role and org_slug, and the session keeps them", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const chosen = orgs[1];
    if (!chosen) throw new Error("no org");
    const flow = await startFlow(account.email);
    const response = await chooseOrg(flow.flow_id, chosen.id);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toMatchObject({ token_type: "Bearer", refresh_token: expect.any(String) });
    const claims = claimsOf(String(body.access_token));
    expect(claims).toMatchObject({ sub: account.userId, org: chosen.id, role: "owner", org_slug: chosen.slug });
    expect(claims.amr).toEqual(["pwd"]);
    expect(await sessionOrgsOf(account.userId)).toEqual([null, chosen.id]);
    expect((await flowRowsOf(account.userId))[0]).toMatchObject({ organization_id: chosen.id });
    expect((await flowRowsOf(account.userId))[0]?.consumed_at).toEqual(expect.any(Number));
    const rotated = await readJson(await refresh(String(body.refresh_token)));
    expect(claimsOf(String(rotated.access_token))).toMatchObject({ org: chosen.id, role: "owner" });
  });

  it("users with 0 or 1 organization get tokens at once, as before, and no flow", async () => {
    const none = await verifiedAccount();
    const { account: one } = await memberOfOrgs(1);
    for (const account of [none, one]) {
      const response = await login(account.email);
      expect(response.status).toBe(200);
      const body = await readJson(response);
      expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token_type"]);
      expect(claimsOf(String(body.access_token)).org).toBeUndefined();
      expect(await flowRowsOf(account.userId)).toEqual([]);
    }
  });
});

describe("what counts as an organization", () => {
  it("a suspended membership and a deleted organization are neither counted nor offered", async () => {
    const { account, orgs } = await memberOfOrgs(3);
    const [kept, suspended, deleted] = orgs;
    if (!kept || !suspended || !deleted) throw new Error("no orgs");
    await suspendMembership(suspended.id, account.userId);
    const flow = await startFlow(account.email);
    expect(flow.orgs.map((org) => org.id).sort()).toEqual([kept.id, deleted.id].sort());
    expect((await call("DELETE", `/v1/orgs/${deleted.id}`, { token: account.tokens.access_token })).status).toBe(204);
    // Read now: the deleted one is gone from the open flow, and choosing it or the suspended one fails.
    expect((await readJson(await readFlow(flow.flow_id))).orgs).toEqual([expect.objectContaining({ id: kept.id })]);
    await expectProblem(await chooseOrg(flow.flow_id, deleted.id), 404, "org_not_found");
    await expectProblem(await chooseOrg(flow.flow_id, suspended.id), 404, "org_not_found");
    // Down to one organization: the next login answers tokens, not a flow.
    const next = await readJson(await login(account.email));
    expect(next.flow_id).toBeUndefined();
    expect(next.access_token).toEqual(expect.any(String));
  });
});

describe("attacks on a flow", () => {
  it("is used once: 50 parallel choices answer one 200 and 49 flow_not_found, one session", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const flow = await startFlow(account.email);
    const choices = orgs.map((org) => org.id);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => chooseOrg(flow.flow_id, choices[i % 2] ?? "")),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200)) {
      await expectProblem(response, 404, "flow_not_found");
    }
    expect(await sessionRowCount(account.userId)).toBe(2);
    await expectProblem(await readFlow(flow.flow_id), 404, "flow_not_found");
  });

  it("expires after 10 minutes: readable at 599 s, refused at 600 s, nothing written", async () => {
    freezeClock();
    const { account, orgs } = await memberOfOrgs(2);
    const flow = await startFlow(account.email);
    advanceClock(599);
    expect((await readFlow(flow.flow_id)).status).toBe(200);
    advanceClock(1);
    await expectProblem(await readFlow(flow.flow_id), 404, "flow_not_found");
    await expectProblem(await chooseOrg(flow.flow_id, orgs[0]?.id ?? ""), 404, "flow_not_found");
    expect((await flowRowsOf(account.userId))[0]?.consumed_at).toBeNull();
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("another user's organization is refused and leaves the flow open; tokens are only ever the flow's user's", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const stranger = await memberOfOrgs(2);
    const flow = await startFlow(account.email);
    const theirs = stranger.orgs[0]?.id ?? "";
    await expectProblem(await chooseOrg(flow.flow_id, theirs), 404, "org_not_found");
    await expectProblem(await chooseOrg(flow.flow_id, crypto.randomUUID()), 404, "org_not_found");
    expect((await flowRowsOf(account.userId))[0]?.consumed_at).toBeNull();
    // The stranger's own flow cannot reach this user's organizations either.
    const theirFlow = await startFlow(stranger.account.email);
    await expectProblem(await chooseOrg(theirFlow.flow_id, orgs[0]?.id ?? ""), 404, "org_not_found");
    const mine = await readJson(await chooseOrg(flow.flow_id, orgs[0]?.id ?? ""));
    expect(claimsOf(String(mine.access_token)).sub).toBe(account.userId);
    expect(await sessionRowCount(stranger.account.userId)).toBe(1);
  });

  it("refuses unknown, malformed and confused ids: a refresh or access token is no flow id", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const org = orgs[0]?.id ?? "";
    const forged = ["A".repeat(43), "x".repeat(200), account.tokens.refresh_token, account.tokens.access_token];
    for (const id of forged) {
      await expectProblem(await readFlow(id), 404, "flow_not_found");
      await expectProblem(await chooseOrg(id, org), 404, "flow_not_found");
    }
    // A flow id is no MFA token.
    const flow = await startFlow(account.email);
    const asMfa = await call("POST", "/v1/login/mfa", { json: { mfa_token: flow.flow_id, code: "123456" } });
    await expectProblem(asMfa, 401, "invalid_mfa_token");
    expect((await flowRowsOf(account.userId)).at(-1)?.consumed_at).toBeNull();
  });

  it("refuses a body without a valid org (400) and keeps the flow", async () => {
    const { account } = await memberOfOrgs(2);
    const flow = await startFlow(account.email);
    for (const json of [{}, { org: "not-a-uuid" }, { org: crypto.randomUUID(), extra: 1 }]) {
      const response = await call("POST", `/v1/flows/${flow.flow_id}/org`, { json });
      await expectProblem(response, 400, "invalid_request");
    }
    expect((await readFlow(flow.flow_id)).status).toBe(200);
  });
});
