// The sign-in flow routes in /openapi.json (src/routes/openapi.ts).
import type { Operation } from "./openapi";
import "./flow-schemas";

const P = "Problem";

export const FLOW_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/flows/{id}",
    summary: "What a sign-in flow still needs, and the organizations it offers (the id is the credential)",
    responses: { 200: "SignInFlow", 404: P },
  },
  {
    method: "post",
    path: "/v1/flows/{id}/org",
    summary:
      "Choose the organization: tokens carrying org, role and org_slug, or the MFA step first (the flow is used once)",
    body: "FlowOrgRequest",
    responses: { 200: "FlowOrgResponse", 404: P },
  },
];
