// The members of an organization: list, change a role, remove, leave. Permission comes from the
// table (org-permissions.ts) for the caller's role and the target's; "the last owner stays" is decided
// by the statement itself. A removal clears the organization from the member's sessions and denylists
// their organization-scoped tokens, so other verifiers refuse them too.

import { fail, type Result, succeed } from "../errors";
import {
  changeMemberRole,
  findMembershipRow,
  listMembers,
  type MemberRecord,
  removeMember,
} from "../storage/org-membership-store";
import type { RequestScope, ServiceContext } from "./context";
import { requireOrgPermission } from "./org-access";
import { denyOrgScopedTokens } from "./org-denylist";
import { mayManageRole, type OrgRole } from "./org-permissions";
import { recordSecurityEvent } from "./security-events";

export async function listOrganizationMembers(
  context: ServiceContext,
  userId: string,
  organizationId: string,
): Promise<Result<MemberRecord[]>> {
  const access = await requireOrgPermission(context, organizationId, userId, "list_members");
  if (!access.ok) return access;
  return succeed(await listMembers(context.db, organizationId));
}

export async function changeRole(
  context: ServiceContext,
  actorId: string,
  organizationId: string,
  target: { userId: string; role: OrgRole },
  scope: RequestScope,
): Promise<Result<MemberRecord["membership"]>> {
  const access = await requireOrgPermission(context, organizationId, actorId, "change_role");
  if (!access.ok) return access;
  const current = await findMembershipRow(context.db, organizationId, target.userId);
  if (!current) return fail("member_not_found", { reason: "no such member" });
  const actor = access.value.role;
  if (!mayManageRole(actor, current.role) || !mayManageRole(actor, target.role)) {
    return fail("org_forbidden", { reason: `${actor} may not move ${current.role} to ${target.role}` });
  }
  if (current.role === target.role) return succeed(current);
  const changed = await changeMemberRole(
    context.db,
    { organizationId, userId: target.userId, expected: current.role },
    target.role,
    context.now(),
  );
  if (!changed) return fail(current.role === "owner" ? "last_owner" : "member_not_found", { reason: "not changed" });
  recordSecurityEvent(context, scope, {
    type: "org_member_role_changed",
    subjectUserId: target.userId,
    actorUserId: actorId,
    orgId: organizationId,
    detail: { from: current.role, to: target.role },
  });
  return succeed(changed);
}

async function removeAndDeny(
  context: ServiceContext,
  organizationId: string,
  target: { userId: string; expected: OrgRole },
  actorId: string,
  scope: RequestScope,
): Promise<Result<void>> {
  const { removed, sessionIds } = await removeMember(context.db, { organizationId, ...target });
  if (!removed) return fail(target.expected === "owner" ? "last_owner" : "member_not_found", { reason: "not removed" });
  await denyOrgScopedTokens(context, sessionIds, organizationId);
  recordSecurityEvent(context, scope, {
    type: "org_member_removed",
    subjectUserId: target.userId,
    actorUserId: actorId,
    orgId: organizationId,
    detail: { role: removed.role, via: actorId === target.userId ? "leave" : "remove" },
  });
  return succeed(undefined);
}

export async function removeOrganizationMember(
  context: ServiceContext,
  actorId: string,
  organizationId: string,
  targetUserId: string,
  scope: RequestScope,
): Promise<Result<void>> {
  if (targetUserId === actorId) return leaveOrganization(context, actorId, organizationId, scope);
  const access = await requireOrgPermission(context, organizationId, actorId, "remove_member");
  if (!access.ok) return access;
  const current = await findMembershipRow(context.db, organizationId, targetUserId);
  if (!current) return fail("member_not_found", { reason: "no such member" });
  if (!mayManageRole(access.value.role, current.role)) {
    return fail("org_forbidden", { reason: `${access.value.role} may not remove ${current.role}` });
  }
  return removeAndDeny(context, organizationId, { userId: targetUserId, expected: current.role }, actorId, scope);
}

export async function leaveOrganization(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  scope: RequestScope,
): Promise<Result<void>> {
  const access = await requireOrgPermission(context, organizationId, userId, "leave");
  if (!access.ok) return access;
  return removeAndDeny(context, organizationId, { userId, expected: access.value.role }, userId, scope);
}
