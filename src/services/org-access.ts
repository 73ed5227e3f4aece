// The one gate of every organization action: the caller's active membership of a live organization,
// then the permission table. A non-member, a suspended member, a deleted or unknown organization and a
// malformed id all answer org_not_found alike, so ids reveal nothing; a member without the right 403.

import { fail, type Result, succeed } from "../errors";
import { findActiveMembership, type OrgMembership } from "../storage/org-store";
import type { ServiceContext } from "./context";
import { mayAct, type OrgAction, type OrgRole } from "./org-permissions";

export async function requireOrgPermission(
  context: ServiceContext,
  organizationId: string,
  userId: string,
  action: OrgAction,
): Promise<Result<OrgMembership & { role: OrgRole }>> {
  const found = await findActiveMembership(context.db, organizationId, userId);
  if (!found) return fail("org_not_found", { reason: "no active membership of a live organization" });
  const role = found.membership.role;
  if (!mayAct(role, action)) return fail("org_forbidden", { reason: `${role} may not ${action}` });
  return succeed({ ...found, role });
}
