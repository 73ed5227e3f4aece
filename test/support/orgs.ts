// Helpers for the organization suites: accounts with a verified email, an organization with members
// of each role (each joined the way a user would: invited, the mailed code read, accepted), and the
// rows the routes leave in D1.
import { env } from "cloudflare:workers";
import { type TestAccount, uniqueEmail, verifiedAccount as verifiedAccountAt } from "./accounts";
import { call, readJson } from "./http";
import { latestCode } from "./mail";

/** A verified account at an `org-` address (accounts.ts verifiedAccount). */
export const verifiedAccount = (email = uniqueEmail("org")): Promise<TestAccount> => verifiedAccountAt(email);

export interface TestOrg {
  id: string;
  slug: string;
  owner: TestAccount;
}

export async function createOrg(owner?: TestAccount): Promise<TestOrg> {
  const creator = owner ?? (await verifiedAccount());
  const slug = `org-${crypto.randomUUID().slice(0, 8)}`;
  const response = await call("POST", "/v1/orgs", {
    token: creator.tokens.access_token,
    json: { slug, name: "Acme" },
  });
  if (response.status !== 201) throw new Error(`org create failed: ${response.status} ${await response.text()}`);
  const { id } = await readJson<{ id: string }>(response);
  return { id, slug, owner: creator };
}

/** Invites `email` as `role` with `inviter`'s token; answers the mailed token. */
export async function invite(org: TestOrg, email: string, role = "member", inviter = org.owner): Promise<string> {
  const response = await call("POST", `/v1/orgs/${org.id}/invitations`, {
    token: inviter.tokens.access_token,
    json: { email, role },
  });
  if (response.status !== 201) throw new Error(`invite failed: ${response.status} ${await response.text()}`);
  return (await latestCode(email, "org_invitation")).code;
}

export function accept(account: TestAccount, token: string): Promise<Response> {
  return call("POST", "/v1/invitations/accept", { token: account.tokens.access_token, json: { token } });
}

/** A new verified account that joined `org` as `role` by invitation. */
export async function joinAs(org: TestOrg, role: string): Promise<TestAccount> {
  const account = await verifiedAccount();
  const response = await accept(account, await invite(org, account.email, role));
  if (response.status !== 200) throw new Error(`accept failed: ${response.status} ${await response.text()}`);
  return account;
}

export interface MembershipState {
  role: string;
  status: string;
}

export async function membershipOf(orgId: string, userId: string): Promise<MembershipState | null> {
  return env.DB.prepare("select role, status from memberships where organization_id = ? and user_id = ?")
    .bind(orgId, userId)
    .first<MembershipState>();
}

export async function invitationRow(id: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare("select * from invitations where id = ?").bind(id).first();
}

/** Scopes the account's session to `orgId`; answers the response of POST /v1/session/org. */
export function scopeSession(account: TestAccount, orgId: string): Promise<Response> {
  return call("POST", "/v1/session/org", { token: account.tokens.access_token, json: { org: orgId } });
}
