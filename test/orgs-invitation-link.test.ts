// The invitation mail's link page (/accept-invitation): GET shows the organization and changes nothing;
// POST accepts for the verified account at the invited address. The link proves the mailbox, never an
// account: it never verifies an address, so a squatter's unverified account at the victim's address
// gains nothing, nor does any other account; parallel clicks make one member.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp, uniqueEmail } from "./support/accounts";
import { call } from "./support/http";
import { latestCode } from "./support/mail";
import { accept, createOrg, invitationRow, invite, membershipOf, verifiedAccount } from "./support/orgs";

/** Each test makes several accounts and organizations: room for a loaded machine. */
const HEAVY = { timeout: 30_000 };

const HOSTILE = `"><script>alert(1)</script>`;

/** The mailed link's path and query, to open it on this Worker, and its token. */
async function mailedLink(email: string): Promise<{ path: string; token: string }> {
  const { link, token } = await latestCode(email, "org_invitation");
  const url = new URL(link);
  expect(url.pathname).toBe("/accept-invitation");
  return { path: `${url.pathname}${url.search}`, token };
}

const click = (token: string) => call("POST", "/accept-invitation", { form: { token } });

async function invitationOf(email: string) {
  return env.DB.prepare("select * from invitations where email = ? order by created_at desc").bind(email).first<{
    id: string;
    accepted_at: number | null;
    accepted_by_user_id: string | null;
  }>();
}

describe("GET /accept-invitation", HEAVY, () => {
  it("shows the organization (escaped) and a form, and changes nothing however often it is opened", async () => {
    const org = await createOrg();
    await call("PATCH", `/v1/orgs/${org.id}`, { token: org.owner.tokens.access_token, json: { name: HOSTILE } });
    const invitee = await verifiedAccount();
    await invite(org, invitee.email);
    const { path, token } = await mailedLink(invitee.email);
    for (let visit = 0; visit < 2; visit += 1) {
      const response = await call("GET", path);
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      const html = await response.text();
      expect(html).toContain('<form method="post">');
      expect(html).toContain(`value="${token}"`);
      expect(html).not.toContain("<script>");
      expect(html).toContain("&lt;script&gt;");
    }
    expect(await membershipOf(org.id, invitee.userId)).toBeNull();
    expect((await invitationOf(invitee.email))?.accepted_at).toBeNull();
  });

  it("answers 400 for a missing or unknown token", async () => {
    expect((await call("GET", "/accept-invitation")).status).toBe(400);
    expect((await call("GET", "/accept-invitation?token=nope")).status).toBe(400);
  });
});

describe("POST /accept-invitation", HEAVY, () => {
  it("accepts for the verified account at the invited address, once, with the invited role", async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    await invite(org, invitee.email, "admin");
    const { token } = await mailedLink(invitee.email);
    const response = await click(token);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("You joined");
    expect(await membershipOf(org.id, invitee.userId)).toEqual({ role: "admin", status: "active" });
    expect(await invitationOf(invitee.email)).toMatchObject({ accepted_by_user_id: invitee.userId });
    expect((await click(token)).status).toBe(400);
    expect((await accept(invitee, token)).status).toBe(400);
  });

  it("the page never verifies an unverified account at the invited address nor consumes the invitation (the API with its session does)", async () => {
    const org = await createOrg();
    const victim = uniqueEmail("victim");
    const squatter = await signUp({ email: victim, password: "the squatter's own passphrase" });
    await invite(org, victim);
    const { token } = await mailedLink(victim);
    const response = await click(token);
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("has not verified its address");
    const state = await env.DB.prepare("select email_verified from users where id = ?").bind(squatter.userId).first();
    expect(state).toEqual({ email_verified: 0 });
    expect(await membershipOf(org.id, squatter.userId)).toBeNull();
    expect((await invitationOf(victim))?.accepted_at).toBeNull();
    // Through the API the caller brings both the account's session and the mailed token: that proves
    // the mailbox (issue 13: following the link counts as verification), so there it joins, verified.
    expect((await accept(squatter, token)).status).toBe(200);
  });

  it("tells a newcomer to sign up first; another account's session or address never benefits", async () => {
    const org = await createOrg();
    const newcomer = uniqueEmail("newcomer");
    await invite(org, newcomer);
    const { token } = await mailedLink(newcomer);
    const attacker = await verifiedAccount();
    const response = await call("POST", "/accept-invitation", {
      form: { token },
      token: attacker.tokens.access_token,
    });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Sign up in the app");
    expect(await membershipOf(org.id, attacker.userId)).toBeNull();
    expect((await invitationOf(newcomer))?.accepted_at).toBeNull();
    expect((await accept(attacker, token)).status).toBe(403);
  });

  it("makes one member under 10 parallel clicks", async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    await invite(org, invitee.email);
    const { token } = await mailedLink(invitee.email);
    const answers = await Promise.all(Array.from({ length: 10 }, () => click(token)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 400)).toHaveLength(9);
    const { count } = (await env.DB.prepare(
      "select count(*) as count from memberships where organization_id = ? and user_id = ?",
    )
      .bind(org.id, invitee.userId)
      .first<{ count: number }>()) ?? { count: -1 };
    expect(count).toBe(1);
  });

  it("refuses a revoked invitation, a deleted organization and a malformed form (400), changing nothing", async () => {
    const org = await createOrg();
    const invitee = await verifiedAccount();
    await invite(org, invitee.email);
    const { token } = await mailedLink(invitee.email);
    const pending = await invitationOf(invitee.email);
    await call("DELETE", `/v1/orgs/${org.id}/invitations/${pending?.id}`, { token: org.owner.tokens.access_token });
    expect((await click(token)).status).toBe(400);
    const other = await createOrg();
    await invite(other, invitee.email);
    const second = await mailedLink(invitee.email);
    await call("DELETE", `/v1/orgs/${other.id}`, { token: other.owner.tokens.access_token });
    expect((await click(second.token)).status).toBe(400);
    expect((await call("POST", "/accept-invitation", { form: { token: second.token, extra: "x" } })).status).toBe(400);
    expect((await call("POST", "/accept-invitation", { form: {} })).status).toBe(400);
    expect(await membershipOf(org.id, invitee.userId)).toBeNull();
    expect(await membershipOf(other.id, invitee.userId)).toBeNull();
    expect(await invitationRow(pending?.id ?? "")).toMatchObject({ accepted_at: null });
  });
});
