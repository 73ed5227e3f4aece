// Invitations: create (mailed with a link and a code), list, revoke, resend; and accept, by the
// signed-in invitee whose verified email is the invited one.

import { Hono } from "hono";
import {
  acceptInvitation,
  cancelInvitation,
  createInvitation,
  listInvitations,
  resendInvitation,
} from "../services/org-invitation-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { requestScope } from "./http/request-scope";
import { NO_STORE, paramsOf, unwrap } from "./org-routes";
import { InvitationAcceptBody, OrgIdParam, OrgInvitationParam, OrgInviteBody } from "./org-schemas";
import { toPublicInvitation } from "./org-views";

export const orgInvitationRoutes = new Hono<AppEnv>();

orgInvitationRoutes.on(["GET", "POST"], "/v1/orgs/:id/invitations", requireCaller);
orgInvitationRoutes.delete("/v1/orgs/:id/invitations/:invitationId", requireCaller);
orgInvitationRoutes.post("/v1/orgs/:id/invitations/:invitationId/resend", requireCaller);
orgInvitationRoutes.post("/v1/invitations/accept", requireCaller);

orgInvitationRoutes.post("/v1/orgs/:id/invitations", async (c) => {
  const { id } = paramsOf(OrgIdParam, c.req.param(), "org_not_found");
  const input = await readBody(c, OrgInviteBody);
  const invitation = unwrap(await createInvitation(c.get("services"), c.get("principal").user.id, id, input));
  return c.json(toPublicInvitation(invitation), 201, NO_STORE);
});

orgInvitationRoutes.get("/v1/orgs/:id/invitations", async (c) => {
  const { id } = paramsOf(OrgIdParam, c.req.param(), "org_not_found");
  const list = unwrap(await listInvitations(c.get("services"), c.get("principal").user.id, id));
  return c.json({ invitations: list.map(toPublicInvitation) }, 200, NO_STORE);
});

orgInvitationRoutes.delete("/v1/orgs/:id/invitations/:invitationId", async (c) => {
  const { id, invitationId } = paramsOf(OrgInvitationParam, c.req.param(), "invitation_not_found");
  unwrap(await cancelInvitation(c.get("services"), c.get("principal").user.id, id, invitationId));
  return c.body(null, 204);
});

orgInvitationRoutes.post("/v1/orgs/:id/invitations/:invitationId/resend", async (c) => {
  const { id, invitationId } = paramsOf(OrgInvitationParam, c.req.param(), "invitation_not_found");
  const userId = c.get("principal").user.id;
  const invitation = unwrap(await resendInvitation(c.get("services"), userId, id, invitationId));
  return c.json(toPublicInvitation(invitation), 200, NO_STORE);
});

orgInvitationRoutes.post("/v1/invitations/accept", async (c) => {
  const { token } = await readBody(c, InvitationAcceptBody);
  const accepted = unwrap(await acceptInvitation(c.get("services"), c.get("principal"), token, requestScope(c)));
  return c.json({ organization_id: accepted.organizationId, role: accepted.role }, 200, NO_STORE);
});
