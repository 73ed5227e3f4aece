// An operator sets a user's role in an organization (the admin API and RPC): the same guarded write
// an organization's own owner makes (the role read is the one replaced; the last owner is never
// demoted), without the organization's permission table, and recorded as an admin action and a
// membership change. Only an existing membership of a live organization changes.

import { fail, type Result, succeed } from "../errors";
import { changeMemberRole, findMembershipRow } from "../storage/org-membership-store";
import { findLiveOrganization } from "../storage/org-store";
import type { MembershipRow } from "../storage/schema";
import { findUserById } from "../storage/user-store";
import type { AdminActor } from "./admin-actions";
import { recordAdminAction } from "./admin-actions";
import type { RequestScope, ServiceContext } from "./context";
import type { OrgRole } from "./org-permissions";
import { recordSecurityEvent } from "./security-events";

export async function adminSetOrgRole(
  context: ServiceContext,
  actor: AdminActor,
  target: { userId: string; organizationId: string; role: OrgRole },
  scope: RequestScope,
): Promise<Result<MembershipRow>> {
  const { userId, organizationId, role } = target;
  if (!(await findUserById(context.db, userId))) return fail("user_not_found", { reason: "admin set role" });
  if (!(await findLiveOrganization(context.db, organizationId)))
    return fail("org_not_found", { reason: "admin set role" });
  const current = await findMembershipRow(context.db, organizationId, userId);
  if (!current) return fail("member_not_found", { reason: "admin set role: not a member" });
  if (current.role === role) return succeed(current);
  const changed = await changeMemberRole(
    context.db,
    { organizationId, userId, expected: current.role },
    role,
    context.now(),
  );
  if (!changed) return fail(current.role === "owner" ? "last_owner" : "member_not_found", { reason: "not changed" });
  recordAdminAction(context, scope, actor, userId, "set_org_role");
  recordSecurityEvent(context, scope, {
    type: "org_member_role_changed",
    subjectUserId: userId,
    actorUserId: actor.userId,
    actorKeyId: actor.keyId,
    orgId: organizationId,
    detail: { from: current.role, to: role, via: "admin" },
  });
  return succeed(changed);
}
