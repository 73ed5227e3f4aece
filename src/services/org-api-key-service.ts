// An organization's API keys: owned by the organization, not by the member who made them, so they
// keep working when that member leaves, is disabled or deletes their account, and stop when the
// organization is deleted. Managing them is "manage_api_keys" in the permission table (owners and
// admins); once allowed, the caller manages them with api-key-service.ts's operations, scoped to the
// organization, so one organization's key is never reached through another's routes or a person's.

import { type Result, succeed } from "../errors";
import type { KeyHolder } from "./api-key-service";
import type { ServiceContext } from "./context";
import { requireOrgPermission } from "./org-access";
import type { UserSessionPrincipal } from "./principal";

/** The caller as manager of the organization's keys, or org_not_found / org_forbidden. */
export async function orgKeyHolder(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
): Promise<Result<KeyHolder>> {
  const access = await requireOrgPermission(context, organizationId, caller.user.id, "manage_api_keys");
  if (!access.ok) return access;
  return succeed({ owner: { organizationId: access.value.organization.id }, actor: caller });
}
