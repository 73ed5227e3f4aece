// What a verified domain does: auto_join makes an address a member when it becomes verified (by the
// verification mail or an email change), never at unverified sign-up, idempotently, leaving a suspended
// membership suspended; suggest lists the organization; restrict (and auto_join) let
// signUpAllowedForDomain through. Policy changes and removal by managers only.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getServiceContext } from "../src/context";
import { signUpAllowedForDomain } from "../src/services/org-domain-join";
import { PASSWORD, signUp } from "./support/accounts";
import { call, callAndSettle, expectProblem, readJson } from "./support/http";
import { callRequired, latestCode, signUpPending } from "./support/mail";
import {
  addDomain,
  domainRows,
  type FakeResolver,
  installResolver,
  type PublicDomain,
  uniqueDomain,
  verifiedDomain,
} from "./support/org-domains";
import { accept, createOrg, invite, joinAs, membershipOf, verifiedAccount } from "./support/orgs";
import { forgot, NEW_PASSWORD } from "./support/password-reset";

/** Each test makes several accounts and organizations: room for a loaded machine. */
const HEAVY = { timeout: 30_000 };

let resolver: FakeResolver;
beforeEach(() => {
  resolver = installResolver();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const at = (domain: string) => `person-${crypto.randomUUID().slice(0, 8)}@${domain}`;

async function verifyByLink(token: string): Promise<void> {
  const response = await callRequired("POST", "/v1/email/verify", { json: { token } });
  expect(response.status).toBe(200);
}

describe("auto_join", HEAVY, () => {
  it("joins when the address becomes verified, as the default role; never at the unverified sign-up", async () => {
    const org = await createOrg();
    const domain = uniqueDomain();
    await verifiedDomain(resolver, org, domain, "auto_join", "admin");
    const pending = await signUpPending(at(domain));
    expect(await membershipOf(org.id, pending.userId)).toBeNull();
    await verifyByLink(pending.received.token);
    expect(await membershipOf(org.id, pending.userId)).toEqual({ role: "admin", status: "active" });
  });

  it("joins when an email change to the domain is confirmed", async () => {
    const org = await createOrg();
    const domain = uniqueDomain();
    await verifiedDomain(resolver, org, domain);
    const account = await verifiedAccount();
    const newEmail = at(domain);
    const asked = await callAndSettle("POST", "/v1/email/change", {
      token: account.tokens.access_token,
      json: { new_email: newEmail, password: PASSWORD },
    });
    expect(asked.status).toBe(202);
    expect(await membershipOf(org.id, account.userId)).toBeNull();
    const { token } = await latestCode(newEmail, "email_change_code");
    expect((await call("POST", "/v1/email/verify", { json: { token } })).status).toBe(200);
    expect(await membershipOf(org.id, account.userId)).toEqual({ role: "member", status: "active" });
  });

  it("joins when a password reset proves the address (the reset code reached it)", async () => {
    const org = await createOrg();
    const domain = uniqueDomain();
    await verifiedDomain(resolver, org, domain);
    const account = await signUp({ email: at(domain) });
    expect(await membershipOf(org.id, account.userId)).toBeNull();
    const { requestId } = await forgot(account.email);
    const { code } = await latestCode(account.email, "reset_password");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBeLessThan(300);
    expect(await membershipOf(org.id, account.userId)).toEqual({ role: "member", status: "active" });
  });

  it("does nothing for an unverified auto_join domain, a suggest domain, or a subdomain", async () => {
    const domain = uniqueDomain();
    const unverified = await createOrg();
    expect((await addDomain(unverified, { domain, policy: "auto_join" })).status).toBe(201);
    const suggest = await createOrg();
    const other = uniqueDomain();
    await verifiedDomain(resolver, suggest, other, "suggest");
    for (const email of [at(domain), at(other), at(`eng.${other}`)]) {
      const pending = await signUpPending(email);
      await verifyByLink(pending.received.token);
      const { count } = (await env.DB.prepare("select count(*) as count from memberships where user_id = ?")
        .bind(pending.userId)
        .first<{ count: number }>()) ?? { count: -1 };
      expect(count).toBe(0);
    }
  });

  it("leaves a suspended membership suspended, and joins once under parallel verifications", async () => {
    const org = await createOrg();
    const domain = uniqueDomain();
    await verifiedDomain(resolver, org, domain);
    const suspended = await signUpPending(at(domain));
    const now = Math.floor(Date.now() / 1000);
    await env.DB.prepare(
      "insert into memberships (organization_id, user_id, role, status, created_at, updated_at) values (?, ?, 'member', 'suspended', ?, ?)",
    )
      .bind(org.id, suspended.userId, now, now)
      .run();
    await verifyByLink(suspended.received.token);
    expect(await membershipOf(org.id, suspended.userId)).toEqual({ role: "member", status: "suspended" });
    const racer = await signUpPending(at(domain));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        callRequired("POST", "/v1/email/verify", { json: { token: racer.received.token } }),
      ),
    );
    expect(answers.filter((response) => response.status === 200)).toHaveLength(1);
    expect(await membershipOf(org.id, racer.userId)).toEqual({ role: "member", status: "active" });
  });
});

describe("suggest and restrict", HEAVY, () => {
  it("GET /v1/me/org-suggestions lists suggest organizations of the caller's verified address only", async () => {
    const org = await createOrg();
    const domain = uniqueDomain();
    await verifiedDomain(resolver, org, domain, "suggest");
    const verified = await verifiedAccount(at(domain));
    const response = await call("GET", "/v1/me/org-suggestions", { token: verified.tokens.access_token });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ suggestions: [{ id: org.id, slug: org.slug, name: "Acme", domain }] });
    const unverified = await signUp({ email: at(domain) });
    const none = await call("GET", "/v1/me/org-suggestions", { token: unverified.tokens.access_token });
    expect(await readJson(none)).toEqual({ suggestions: [] });
    await expectProblem(await call("GET", "/v1/me/org-suggestions"), 401, "invalid_token");
    // Once a member (by invitation), the organization is no longer suggested.
    expect((await accept(verified, await invite(org, verified.email))).status).toBe(200);
    const joined = await call("GET", "/v1/me/org-suggestions", { token: verified.tokens.access_token });
    expect(await readJson(joined)).toEqual({ suggestions: [] });
  });

  it("signUpAllowedForDomain: true for a verified restrict or auto_join domain of a live organization only", async () => {
    const context = await getServiceContext(env);
    const [restrict, autoJoin, suggest, unverified] = [uniqueDomain(), uniqueDomain(), uniqueDomain(), uniqueDomain()];
    const org = await createOrg();
    await verifiedDomain(resolver, org, restrict, "restrict");
    await verifiedDomain(resolver, org, autoJoin, "auto_join");
    await verifiedDomain(resolver, org, suggest, "suggest");
    expect((await addDomain(org, { domain: unverified, policy: "restrict" })).status).toBe(201);
    expect(await signUpAllowedForDomain(context, `New.Person@${restrict.toUpperCase()}`)).toBe(true);
    expect(await signUpAllowedForDomain(context, at(autoJoin))).toBe(true);
    expect(await signUpAllowedForDomain(context, at(suggest))).toBe(false);
    expect(await signUpAllowedForDomain(context, at(unverified))).toBe(false);
    expect(await signUpAllowedForDomain(context, at(`sub.${restrict}`))).toBe(false);
    expect(await signUpAllowedForDomain(context, "not an address")).toBe(false);
    await call("DELETE", `/v1/orgs/${org.id}`, { token: org.owner.tokens.access_token });
    expect(await signUpAllowedForDomain(context, at(restrict))).toBe(false);
  });
});

describe("policy and removal", HEAVY, () => {
  it("managers set the policy and default role; a member 403; an admin never grants owner", async () => {
    const org = await createOrg();
    const admin = await joinAs(org, "admin");
    const member = await joinAs(org, "member");
    const row = await verifiedDomain(resolver, org, uniqueDomain(), "suggest");
    const path = `/v1/orgs/${org.id}/domains/${row.id}`;
    const patch = (token: string, json: object) => call("PATCH", path, { token, json });
    await expectProblem(await patch(member.tokens.access_token, { policy: "auto_join" }), 403, "org_forbidden");
    await expectProblem(await patch(admin.tokens.access_token, { default_role: "owner" }), 400, "invalid_request");
    const changed = await patch(admin.tokens.access_token, { policy: "auto_join", default_role: "admin" });
    expect(await readJson<PublicDomain>(changed)).toMatchObject({ policy: "auto_join", default_role: "admin" });
    expect((await domainRows(row.domain))[0]).toMatchObject({ policy: "auto_join", default_role: "admin" });
    const unknown = `/v1/orgs/${org.id}/domains/${crypto.randomUUID()}`;
    await expectProblem(
      await call("PATCH", unknown, { token: admin.tokens.access_token, json: { policy: "suggest" } }),
      404,
      "domain_not_found",
    );
  });

  it("removal deletes the row (managers only); the domain then joins no one and may be claimed elsewhere", async () => {
    const org = await createOrg();
    const member = await joinAs(org, "member");
    const domain = uniqueDomain();
    const row = await verifiedDomain(resolver, org, domain);
    const path = `/v1/orgs/${org.id}/domains/${row.id}`;
    await expectProblem(await call("DELETE", path, { token: member.tokens.access_token }), 403, "org_forbidden");
    expect((await call("DELETE", path, { token: org.owner.tokens.access_token })).status).toBe(204);
    expect(await domainRows(domain)).toEqual([]);
    await expectProblem(await call("DELETE", path, { token: org.owner.tokens.access_token }), 404, "domain_not_found");
    const pending = await signUpPending(at(domain));
    await verifyByLink(pending.received.token);
    expect(await membershipOf(org.id, pending.userId)).toBeNull();
    expect((await verifiedDomain(resolver, await createOrg(), domain)).verified).toBe(true);
  });
});
