// NAP's organization flows (../shared/DIALECTS.md C): a login of a user in several organizations
// answers a flowId; GET /api/auth/flow/{flowId} answers the swagger's handlers.UserFlowData (orgs in
// its models.OrgCompat shape, RFC 3339 times); POST /api/auth/flow/{flowId}/org {orgId}, which the
// origin lacked, finishes it with NAP's login result. All of it maps onto sign-in-flow-service.ts.

import type { Context } from "hono";
import * as z from "zod";
import { AppError } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { readBody } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { logRefusal } from "../routes/http/problem";
import { requestScope } from "../routes/http/request-scope";
import type { OrgMembership } from "../services/org-model";
import { chooseFlowOrganization, describeSignInFlow, type FlowOutcome } from "../services/sign-in-flow-service";
import type { IssuedTokens } from "../services/token-issuer";
import { napErrorBody } from "./nap-errors";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** NAP's own wording of an unknown, used or expired flow: its 400 "Flow not found". */
const flowNotFound = () =>
  new AppError({ code: "invalid_request", issues: [{ field: "", message: "Flow not found" }] });

/** The second factor has no NAP route: a password alone must not do (as the login says). */
export const secondFactorRefusal = () =>
  napErrorBody(
    401,
    "This account signs in with a second factor, which this sign-in does not offer yet.",
    "second factor required",
  );

export const napFlowStarted = (outcome: FlowOutcome) => ({
  message: "Choose an organization to continue.",
  flowId: outcome.flowId,
  requireEmailVerification: false,
});

/** models.OrgCompat */
const napOrg = ({ organization }: OrgMembership) => ({
  id: organization.id,
  name: organization.name,
  slug: organization.slug,
  settings: JSON.parse(organization.settings) as Record<string, unknown>,
  createdAt: rfc3339(organization.createdAt),
  updatedAt: rfc3339(organization.updatedAt),
});

const flowIdOf = (c: Context<AppEnv>) => c.req.param("flowId") ?? "";

export async function describeNapFlow(c: Context<AppEnv>): Promise<Response> {
  const flowId = flowIdOf(c);
  const result = await describeSignInFlow(c.get("services"), flowId);
  if (!result.ok && result.error.code === "flow_not_found") throw flowNotFound();
  if (!result.ok) throw new AppError(result.error);
  const { flow, due, email, organizations } = result.value;
  const body = {
    id: flowId,
    type: "login",
    userId: flow.userId,
    email,
    orgs: organizations.map(napOrg),
    mfaRequired: due.includes("mfa"),
    mfaVerified: false,
    ...(flow.returnTo ? { returnTo: flow.returnTo } : {}),
    createdAt: rfc3339(flow.createdAt),
    expiresAt: rfc3339(flow.expiresAt),
  };
  return c.json(body, 200, NO_STORE);
}

const OrgFields = z.object({
  orgId: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .uuid("must be an organization id"),
});

export async function chooseNapFlowOrg(c: Context<AppEnv>, tokens: (issued: IssuedTokens) => unknown) {
  const flowId = flowIdOf(c);
  const { orgId } = await readBody(c, OrgFields);
  const result = await chooseFlowOrganization(c.get("services"), flowId, orgId, clientInfo(c), requestScope(c));
  if (!result.ok && result.error.code === "flow_not_found") throw flowNotFound();
  if (!result.ok && result.error.code === "org_not_found") {
    logRefusal(result.error);
    return c.json(napErrorBody(403, "You are not a member of this organization.", "not a member"), 403, NO_STORE);
  }
  if (!result.ok) throw new AppError(result.error);
  if (result.value.kind === "mfa_required") return c.json(secondFactorRefusal(), 401, NO_STORE);
  const body = { message: "Login successful", tokens: tokens(result.value.tokens), requireEmailVerification: false };
  return c.json(body, 200, NO_STORE);
}
