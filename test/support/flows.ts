// Helpers for the sign-in flow suites: an account in several organizations (it creates them, so it
// owns each), a login that must answer a flow, the flow routes, and the flow rows left in D1.
import { env } from "cloudflare:workers";
import { PASSWORD, type TestAccount } from "./accounts";
import { call, readJson } from "./http";
import { createOrg, type TestOrg, verifiedAccount } from "./orgs";

export interface FlowStarted {
  flow_id: string;
  due: string[];
  orgs: { id: string; slug: string; name: string; role: string }[];
  expires_in: number;
}

export async function markVerified(userId: string): Promise<void> {
  await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(userId).run();
}

/** `account` (a new verified one by default) as the owner of `count` new organizations. */
export async function memberOfOrgs(
  count: number,
  account?: TestAccount,
): Promise<{ account: TestAccount; orgs: TestOrg[] }> {
  const owner = account ?? (await verifiedAccount());
  const orgs: TestOrg[] = [];
  for (let i = 0; i < count; i += 1) orgs.push(await createOrg(owner));
  return { account: owner, orgs };
}

export function login(email: string, password = PASSWORD): Promise<Response> {
  return call("POST", "/v1/login", { json: { email, password } });
}

/** A login that must answer a flow (fails the test otherwise). */
export async function startFlow(email: string, password = PASSWORD): Promise<FlowStarted> {
  const response = await login(email, password);
  const body = await readJson<FlowStarted>(response);
  if (response.status !== 200 || typeof body.flow_id !== "string") {
    throw new Error(`no flow: ${response.status} ${JSON.stringify(body)}`);
  }
  return body;
}

export const readFlow = (flowId: string) => call("GET", `/v1/flows/${encodeURIComponent(flowId)}`);

export const chooseOrg = (flowId: string, org: string) =>
  call("POST", `/v1/flows/${encodeURIComponent(flowId)}/org`, { json: { org } });

export interface FlowRow {
  due: string;
  consumed_at: number | null;
  organization_id: string | null;
  created_at: number;
  expires_at: number;
}

export async function flowRowsOf(userId: string): Promise<FlowRow[]> {
  const { results } = await env.DB.prepare(
    "select due, consumed_at, organization_id, created_at, expires_at from sign_in_flows where user_id = ? order by created_at, rowid",
  )
    .bind(userId)
    .all<FlowRow>();
  return results;
}

export async function suspendMembership(orgId: string, userId: string): Promise<void> {
  await env.DB.prepare("update memberships set status = 'suspended' where organization_id = ? and user_id = ?")
    .bind(orgId, userId)
    .run();
}

export async function sessionOrgsOf(userId: string): Promise<(string | null)[]> {
  const { results } = await env.DB.prepare(
    "select active_organization_id as org from sessions where user_id = ? order by created_at, rowid",
  )
    .bind(userId)
    .all<{ org: string | null }>();
  return results.map((row) => row.org);
}
