// Invitations: mailed with a link and a code (the token, stored only hashed); accepted once under 50
// parallel accepts; refused for another email and when expired, revoked or used; an unverified invitee is verified by it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp, uniqueEmail } from "./support/accounts";
import { call, expectProblem, readJson } from "./support/http";
import { mailTo } from "./support/mail";
import { accept, createOrg, invitationRow, invite, membershipOf, verifiedAccount } from "./support/orgs";

const memberCount = async (orgId: string) =>
  (await env.DB.prepare("select count(*) as n from memberships where organization_id = ?").bind(orgId).first())?.n;

describe("invitations", () => {
  it("mails a link and a code; D1 keeps only the token's hash; accepting makes a member with the role", async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    const response = await call("POST", `/v1/orgs/${org.id}/invitations`, {
      token: org.owner.tokens.access_token,
      json: { email: invitee.email.toUpperCase(), role: "admin" },
    });
    expect(response.status).toBe(201);
    const created = await readJson(response);
    expect(created).toMatchObject({ email: invitee.email, role: "admin", organization_id: org.id });
    const [mail] = await mailTo(invitee.email, "org_invitation");
    expect(mail?.link).toContain(`token=${mail?.code}`);
    const row = await invitationRow(String(created.id));
    expect(JSON.stringify(row)).not.toContain(String(mail?.code));
    expect(Number(row?.expires_at) - Number(row?.created_at)).toBe(7 * 24 * 3600);
    const accepted = await accept(invitee, String(mail?.code));
    expect(await readJson(accepted)).toEqual({ organization_id: org.id, role: "admin" });
    expect(await membershipOf(org.id, invitee.userId)).toEqual({ role: "admin", status: "active" });
    expect((await invitationRow(String(created.id)))?.accepted_by_user_id).toBe(invitee.userId);
  });

  it("is accepted once under 50 parallel accepts: one 200, one membership", { timeout: 30_000 }, async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    const token = await invite(org, invitee.email);
    const answers = await Promise.all(Array.from({ length: 50 }, () => accept(invitee, token)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 400 || s === 409)).toBe(true);
    expect(await memberCount(org.id)).toBe(2);
  });

  it("refuses another account's accept (403 invitation_email_mismatch) and leaves it usable", async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    const thief = await verifiedAccount();
    const token = await invite(org, invitee.email);
    await expectProblem(await accept(thief, token), 403, "invitation_email_mismatch");
    expect(await membershipOf(org.id, thief.userId)).toBeNull();
    expect((await accept(invitee, token)).status).toBe(200);
  });

  it("counts the mailed token as verification for an unverified invitee: joined, and the address verified", async () => {
    const org = await createOrg();
    const unverified = await signUp();
    const token = await invite(org, unverified.email);
    expect((await accept(unverified, token)).status).toBe(200);
    expect(await membershipOf(org.id, unverified.userId)).not.toBeNull();
    const row = await env.DB.prepare("select email_verified from users where id = ?").bind(unverified.userId).first();
    expect(row).toEqual({ email_verified: 1 });
  });

  it("verifies nothing when the token is refused (another address's invitation)", async () => {
    const org = await createOrg();
    const unverified = await signUp();
    const token = await invite(org, (await signUp()).email);
    await expectProblem(await accept(unverified, token), 403, "invitation_email_mismatch");
    const row = await env.DB.prepare("select email_verified from users where id = ?").bind(unverified.userId).first();
    expect(row).toEqual({ email_verified: 0 });
  });

  it("refuses an unknown, used, revoked or expired token alike (400 invalid_invitation)", async () => {
    const org = await createOrg();
    const owner = org.owner.tokens.access_token;
    const used = await verifiedAccount();
    const usedToken = await invite(org, used.email);
    expect((await accept(used, usedToken)).status).toBe(200);
    await call("POST", `/v1/orgs/${org.id}/leave`, { token: used.tokens.access_token });
    await expectProblem(await accept(used, usedToken), 400, "invalid_invitation");
    await expectProblem(await accept(used, "x".repeat(43)), 400, "invalid_invitation");

    const revokedFor = await verifiedAccount();
    const revokedToken = await invite(org, revokedFor.email);
    const list = await readJson<{ invitations: { id: string; email: string }[] }>(
      await call("GET", `/v1/orgs/${org.id}/invitations`, { token: owner }),
    );
    const id = list.invitations.find((i) => i.email === revokedFor.email)?.id;
    expect((await call("DELETE", `/v1/orgs/${org.id}/invitations/${id}`, { token: owner })).status).toBe(204);
    await expectProblem(await accept(revokedFor, revokedToken), 400, "invalid_invitation");
    await expectProblem(
      await call("DELETE", `/v1/orgs/${org.id}/invitations/${id}`, { token: owner }),
      404,
      "invitation_not_found",
    );

    const late = await verifiedAccount();
    const lateToken = await invite(org, late.email);
    // Seven days later (moved in D1: the invitee's access token would have expired with a moved clock).
    await env.DB.prepare("update invitations set expires_at = ? where email = ?")
      .bind(Math.floor(Date.now() / 1000) - 1, late.email)
      .run();
    await expectProblem(await accept(late, lateToken), 400, "invalid_invitation");
    expect(await membershipOf(org.id, late.userId)).toBeNull();
  });

  it("resend mails a new token and the old one stops working", async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    const first = await invite(org, invitee.email);
    const list = await readJson<{ invitations: { id: string }[] }>(
      await call("GET", `/v1/orgs/${org.id}/invitations`, { token: org.owner.tokens.access_token }),
    );
    const id = list.invitations[0]?.id;
    const resent = await call("POST", `/v1/orgs/${org.id}/invitations/${id}/resend`, {
      token: org.owner.tokens.access_token,
    });
    expect(resent.status).toBe(200);
    const [mail] = await mailTo(invitee.email, "org_invitation");
    expect(mail?.code).not.toBe(first);
    await expectProblem(await accept(invitee, first), 400, "invalid_invitation");
    expect((await accept(invitee, String(mail?.code))).status).toBe(200);
  });

  it("refuses invitation routes to non-members with 404 (ids reveal nothing)", async () => {
    const org = await createOrg();
    const stranger = await verifiedAccount();
    const response = await call("POST", `/v1/orgs/${org.id}/invitations`, {
      token: stranger.tokens.access_token,
      json: { email: uniqueEmail() },
    });
    await expectProblem(response, 404, "org_not_found");
    const rows = await env.DB.prepare("select count(*) as n from invitations where organization_id = ?")
      .bind(org.id)
      .first();
    expect(rows).toEqual({ n: 0 });
  });
});

describe("POST /v1/signup with invite_token", () => {
  it("creates a verified member with the invitation's role, and signs them in", async () => {
    const org = await createOrg();
    const email = uniqueEmail("invited");
    const token = await invite(org, email, "admin");
    const response = await call("POST", "/v1/signup", {
      json: { email, password: "a long and unusual passphrase", invite_token: token },
    });
    expect(response.status).toBe(201);
    const body = await readJson<{
      user: { id: string; email_verified: boolean };
      organization: unknown;
      access_token: string;
    }>(response);
    expect(body.user.email_verified).toBe(true);
    expect(body.organization).toEqual({ id: org.id, role: "admin" });
    expect(typeof body.access_token).toBe("string");
    expect((await membershipOf(org.id, body.user.id))?.role).toBe("admin");
    const again = await call("POST", "/v1/signup", {
      json: { email: uniqueEmail("late"), password: "a long and unusual passphrase", invite_token: token },
    });
    await expectProblem(again, 400, "invalid_invitation");
  });

  it("refuses another address's invitation and stores no account", async () => {
    const org = await createOrg();
    const token = await invite(org, uniqueEmail("invited"));
    const email = uniqueEmail("intruder");
    const response = await call("POST", "/v1/signup", {
      json: { email, password: "a long and unusual passphrase", invite_token: token },
    });
    await expectProblem(response, 400, "invalid_invitation");
    expect(await env.DB.prepare("select id from users where email = ?").bind(email).first()).toBeNull();
  });
});
