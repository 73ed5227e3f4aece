// Sign-in flows (sign-in-flow-service.ts): a login of a user with several organizations answers a
// flow; GET /v1/flows/{id} tells what is due, POST /v1/flows/{id}/org finishes the organization step.
// The flow id is the credential (no bearer): a malformed one answers like an unknown one (404).

import { Hono } from "hono";
import type { OrgMembership } from "../services/org-model";
import { chooseFlowOrganization, describeSignInFlow, type FlowOutcome } from "../services/sign-in-flow-service";
import { FlowIdParam, FlowOrgBody } from "./flow-schemas";
import type { AppEnv } from "./http/app-env";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { tokenResponseBody } from "./http/token-transport";
import { mfaRequiredBody } from "./mfa-routes";
import { NO_STORE, paramsOf, unwrap } from "./org-routes";

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export const flowOrganization = ({ organization, membership }: OrgMembership) => ({
  id: organization.id,
  slug: organization.slug,
  name: organization.name,
  role: membership.role,
});

/** The native login answer for a flow (SignInFlowStarted). */
export function flowStartedBody(outcome: FlowOutcome) {
  return {
    flow_id: outcome.flowId,
    due: outcome.due,
    orgs: outcome.organizations.map(flowOrganization),
    expires_in: outcome.expiresIn,
  };
}

const flowIdOf = (params: Record<string, string>) => paramsOf(FlowIdParam, params, "flow_not_found").id;

export const flowRoutes = new Hono<AppEnv>();

// A flow id is a secret handle: looking one up is gated like redeeming a code.
flowRoutes.get("/v1/flows/:id", gate("redeem_code"), async (c) => {
  const view = unwrap(await describeSignInFlow(c.get("services"), flowIdOf(c.req.param())));
  const body = {
    due: view.due,
    orgs: view.organizations.map(flowOrganization),
    return_to: view.flow.returnTo,
    created_at: iso(view.flow.createdAt),
    expires_at: iso(view.flow.expiresAt),
  };
  return c.json(body, 200, NO_STORE);
});

flowRoutes.post("/v1/flows/:id/org", gate("redeem_code"), async (c) => {
  const flowId = flowIdOf(c.req.param());
  const { org } = await readBody(c, FlowOrgBody);
  const services = c.get("services");
  const outcome = unwrap(await chooseFlowOrganization(services, flowId, org, clientInfo(c), requestScope(c)));
  if (outcome.kind === "mfa_required") return c.json(mfaRequiredBody(outcome), 200, NO_STORE);
  return c.json(tokenResponseBody(c, outcome.tokens), 200, NO_STORE);
});
