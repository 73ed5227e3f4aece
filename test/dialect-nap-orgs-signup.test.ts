// NAP's sign-up with organizations: an inviteToken joins the invitation's organization with its role
// (consumed once, for the invited address only, the account then verified); with
// DIALECT_NAP_ORGS_REQUIRED, no invitation and a domain no organization verified is the swagger's
// 401. Nothing half-written: a refused or failed sign-up stores no user and spends no invitation.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { uniqueEmail } from "./support/accounts";
import {
  expectModel,
  expectNapError,
  LoginResultModel,
  napCall,
  SDK_HEADERS,
  SignupResultModel,
  signUpBody,
} from "./support/dialect-nap";
import { dropAllFaults, injectFault } from "./support/faults";
import { callWith } from "./support/http";
import { createOrg, invite, membershipOf } from "./support/orgs";

afterEach(dropAllFaults);

const PASSWORD = "correct horse battery";
const signUp = (json: Record<string, unknown>) => napCall("POST", "/api/auth/signup", { json });
const required = { ...env, DIALECT_NAP_ORGS_REQUIRED: "true" } as Bindings;
const signUpRequired = (json: Record<string, unknown>) =>
  callWith(required, "POST", "/api/auth/signup", { json, headers: SDK_HEADERS });

async function userOf(email: string) {
  return env.DB.prepare("select id, email_verified from users where email = ?")
    .bind(email)
    .first<{ id: string; email_verified: number }>();
}

async function invitationState(email: string) {
  return env.DB.prepare("select accepted_at, accepted_by_user_id from invitations where email = ?")
    .bind(email)
    .first<{ accepted_at: number | null; accepted_by_user_id: string | null }>();
}

async function verifiedDomain(orgId: string, domain: string, policy: string) {
  await env.DB.prepare(
    "insert into org_domains (id, organization_id, domain, verification_token, verified_at, policy, default_role, created_at) values (?, ?, ?, 't', 1, ?, 'member', 1)",
  )
    .bind(crypto.randomUUID(), orgId, domain, policy)
    .run();
}

describe("NAP sign-up with an inviteToken", () => {
  it("joins the organization with the invitation's role, verified, and logs in at once", async () => {
    const org = await createOrg();
    const email = uniqueEmail("nap-invite");
    const inviteToken = await invite(org, email, "admin");
    const result = await expectModel(
      await signUp({ ...signUpBody(email, PASSWORD), inviteToken }),
      200,
      SignupResultModel,
    );
    expect(await membershipOf(org.id, result.userId)).toEqual({ role: "admin", status: "active" });
    expect(await userOf(email)).toMatchObject({ id: result.userId, email_verified: 1 });
    expect(await invitationState(email)).toMatchObject({ accepted_by_user_id: result.userId });
    const login = await napCall("POST", "/api/auth/login", { json: { email, password: PASSWORD } });
    await expectModel(login, 200, LoginResultModel);
  });

  it("refuses another address's, an unknown and a used invitation with 401, storing nothing", async () => {
    const org = await createOrg();
    const invited = uniqueEmail("nap-invited");
    const inviteToken = await invite(org, invited, "member");
    const other = uniqueEmail("nap-other");
    await expectNapError(await signUp({ ...signUpBody(other, PASSWORD), inviteToken }), 401, /invite token/);
    await expectNapError(await signUp({ ...signUpBody(other, PASSWORD), inviteToken: "inv_0123456789" }), 401);
    expect(await userOf(other)).toBeNull();
    expect((await invitationState(invited))?.accepted_at).toBeNull();
    // Used once; the second use (another account of the same address is taken anyway) is refused.
    expect((await signUp({ ...signUpBody(invited, PASSWORD), inviteToken })).status).toBe(200);
    const again = uniqueEmail("nap-again");
    await expectNapError(await signUp({ ...signUpBody(again, PASSWORD), inviteToken }), 401);
    expect(await userOf(again)).toBeNull();
  });

  it("is consumed once under 10 parallel sign-ups: one user, one membership", async () => {
    const org = await createOrg();
    const email = uniqueEmail("nap-race");
    const inviteToken = await invite(org, email, "member");
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => signUp({ ...signUpBody(email, PASSWORD), inviteToken })),
    );
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200))
      expect([400, 401, 429]).toContain(response.status);
    const { n } = (await env.DB.prepare("select count(*) as n from memberships where organization_id = ?")
      .bind(org.id)
      .first<{ n: number }>()) ?? { n: 0 };
    expect(n).toBe(2);
  });

  it("stores nothing when D1 fails inside the batch (the membership insert)", async () => {
    const org = await createOrg();
    const email = uniqueEmail("nap-fault");
    const inviteToken = await invite(org, email, "member");
    await injectFault("fail_membership_insert", "BEFORE INSERT", "memberships");
    const response = await signUp({ ...signUpBody(email, PASSWORD), inviteToken });
    await expectNapError(response, 503);
    expect(await userOf(email)).toBeNull();
    expect((await invitationState(email))?.accepted_at).toBeNull();
  });
});

describe("DIALECT_NAP_ORGS_REQUIRED", () => {
  it("refuses a sign-up without an invitation at a domain no organization verified (401), storing nothing", async () => {
    const email = `someone@${crypto.randomUUID().slice(0, 8)}.example`;
    await expectNapError(await signUpRequired(signUpBody(email, PASSWORD)), 401, /domain/);
    expect(await userOf(email)).toBeNull();
  });

  it("admits an address at a domain verified with restrict or auto_join, not suggest or unverified", async () => {
    const org = await createOrg();
    for (const policy of ["restrict", "auto_join"]) {
      const domain = `${policy.replace("_", "")}-${crypto.randomUUID().slice(0, 8)}.example`;
      await verifiedDomain(org.id, domain, policy);
      await expectModel(await signUpRequired(signUpBody(`ada@${domain}`, PASSWORD)), 200, SignupResultModel);
    }
    const suggest = `suggest-${crypto.randomUUID().slice(0, 8)}.example`;
    await verifiedDomain(org.id, suggest, "suggest");
    await expectNapError(await signUpRequired(signUpBody(`ada@${suggest}`, PASSWORD)), 401);
  });

  it("still admits a matching invitation; off (the default), any address signs up", async () => {
    const org = await createOrg();
    const email = uniqueEmail("nap-req");
    const inviteToken = await invite(org, email, "member");
    await expectModel(await signUpRequired({ ...signUpBody(email, PASSWORD), inviteToken }), 200, SignupResultModel);
    await expectModel(await signUp(signUpBody(uniqueEmail("nap-free"), PASSWORD)), 200, SignupResultModel);
  });
});
