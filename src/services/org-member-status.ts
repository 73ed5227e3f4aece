// Suspending and reactivating a member (PATCH /v1/orgs/{id}/members/{userId} {status}): owners and
// admins, an admin never on an owner, nobody on themselves (leave instead), never the last active
// owner. A suspension ends the organization's hold on the member's sessions and denylists their
// organization-scoped tokens, exactly as a removal does; the membership row (and role) stays.

import { fail, type Result, succeed } from "../errors";
import { findMembershipRow, setMemberStatus } from "../storage/org-membership-store";
import type { MembershipRow } from "../storage/schema";
import type { RequestScope, ServiceContext } from "./context";
import { requireOrgPermission } from "./org-access";
import { denyOrgScopedTokens } from "./org-denylist";
import { mayManageRole } from "./org-permissions";
import { recordSecurityEvent } from "./security-events";

export async function changeMemberStatus(
  context: ServiceContext,
  actorId: string,
  organizationId: string,
  target: { userId: string; status: MembershipRow["status"] },
  scope: RequestScope,
): Promise<Result<MembershipRow>> {
  const access = await requireOrgPermission(context, organizationId, actorId, "remove_member");
  if (!access.ok) return access;
  if (target.userId === actorId) return fail("org_forbidden", { reason: "may not suspend or reactivate oneself" });
  const current = await findMembershipRow(context.db, organizationId, target.userId);
  if (!current) return fail("member_not_found", { reason: "no such member" });
  if (!mayManageRole(access.value.role, current.role)) {
    return fail("org_forbidden", { reason: `${access.value.role} may not change a ${current.role}'s status` });
  }
  if (current.status === target.status) return succeed(current);
  const { changed, sessionIds } = await setMemberStatus(
    context.db,
    { organizationId, userId: target.userId, expected: current.role },
    target.status,
    context.now(),
  );
  if (!changed) return fail(current.role === "owner" ? "last_owner" : "member_not_found", { reason: "not changed" });
  if (target.status === "suspended") await denyOrgScopedTokens(context, sessionIds, organizationId);
  recordSecurityEvent(context, scope, {
    type: "org_member_status_changed",
    subjectUserId: target.userId,
    actorUserId: actorId,
    orgId: organizationId,
    detail: { from: current.status, to: target.status },
  });
  return succeed(changed);
}
