// The members of an organization: list, change a role or suspend/reactivate, remove (yourself: leave),
// leave. Who may do what is the permission table's (src/services/org-permissions.ts).

import { Hono } from "hono";
import {
  changeRole,
  leaveOrganization,
  listOrganizationMembers,
  removeOrganizationMember,
} from "../services/org-member-service";
import { changeMemberStatus } from "../services/org-member-status";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { requestScope } from "./http/request-scope";
import { NO_STORE, paramsOf, unwrap } from "./org-routes";
import { OrgIdParam, OrgMemberParam, OrgMemberPatchBody } from "./org-schemas";
import { toPublicMember } from "./org-views";

export const orgMemberRoutes = new Hono<AppEnv>();

orgMemberRoutes.get("/v1/orgs/:id/members", requireCaller);
orgMemberRoutes.on(["PATCH", "DELETE"], "/v1/orgs/:id/members/:userId", requireCaller);
orgMemberRoutes.post("/v1/orgs/:id/leave", requireCaller);

orgMemberRoutes.get("/v1/orgs/:id/members", async (c) => {
  const { id } = paramsOf(OrgIdParam, c.req.param(), "org_not_found");
  const members = unwrap(await listOrganizationMembers(c.get("services"), c.get("principal").user.id, id));
  return c.json({ members: members.map(toPublicMember) }, 200, NO_STORE);
});

orgMemberRoutes.patch("/v1/orgs/:id/members/:userId", async (c) => {
  const { id, userId } = paramsOf(OrgMemberParam, c.req.param(), "member_not_found");
  const { role, status } = await readBody(c, OrgMemberPatchBody);
  const actor = c.get("principal").user.id;
  const services = c.get("services");
  const changed = unwrap(
    role
      ? await changeRole(services, actor, id, { userId, role }, requestScope(c))
      : await changeMemberStatus(services, actor, id, { userId, status: status ?? "active" }, requestScope(c)),
  );
  return c.json({ user_id: changed.userId, role: changed.role, status: changed.status }, 200, NO_STORE);
});

orgMemberRoutes.delete("/v1/orgs/:id/members/:userId", async (c) => {
  const { id, userId } = paramsOf(OrgMemberParam, c.req.param(), "member_not_found");
  const actor = c.get("principal").user.id;
  unwrap(await removeOrganizationMember(c.get("services"), actor, id, userId, requestScope(c)));
  return c.body(null, 204);
});

orgMemberRoutes.post("/v1/orgs/:id/leave", async (c) => {
  const { id } = paramsOf(OrgIdParam, c.req.param(), "org_not_found");
  unwrap(await leaveOrganization(c.get("services"), c.get("principal").user.id, id, requestScope(c)));
  return c.body(null, 204);
});
