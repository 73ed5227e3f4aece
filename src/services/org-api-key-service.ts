// An organization's API keys (create, list, revoke, roll): keys owned by the organization, not by the
// member who made them, so they keep working when that member leaves, is disabled or deletes their
// account, and stop when the organization is deleted. Managing them is "manage_api_keys" in the
// permission table (owners and admins); the key operations are api-key-service.ts's, scoped to the
// organization, so one organization's key is never reached through another's routes or a person's.

import { type Result, succeed } from "../errors";
import type { ApiKey } from "./api-key-model";
import {
  createApiKey,
  type IssuedApiKey,
  type KeyHolder,
  listApiKeys,
  type NewApiKeyInput,
  revokeApiKey,
  rollApiKey,
} from "./api-key-service";
import type { RequestScope, ServiceContext } from "./context";
import { requireOrgPermission } from "./org-access";
import type { UserSessionPrincipal } from "./principal";

/** The caller as manager of the organization's keys, or org_not_found / org_forbidden. */
async function orgKeys(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
): Promise<Result<KeyHolder>> {
  const access = await requireOrgPermission(context, organizationId, caller.user.id, "manage_api_keys");
  if (!access.ok) return access;
  return succeed({ owner: { organizationId: access.value.organization.id }, actor: caller });
}

export async function createOrgApiKey(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
  input: NewApiKeyInput,
  scope: RequestScope,
): Promise<Result<IssuedApiKey>> {
  const holder = await orgKeys(context, caller, organizationId);
  return holder.ok ? createApiKey(context, holder.value, input, scope) : holder;
}

export async function listOrgApiKeys(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
): Promise<Result<ApiKey[]>> {
  const holder = await orgKeys(context, caller, organizationId);
  return holder.ok ? succeed(await listApiKeys(context, holder.value.owner)) : holder;
}

export async function revokeOrgApiKey(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
  id: string,
  scope: RequestScope,
): Promise<Result<void>> {
  const holder = await orgKeys(context, caller, organizationId);
  return holder.ok ? revokeApiKey(context, holder.value, id, scope) : holder;
}

export async function rollOrgApiKey(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
  id: string,
  graceSeconds: number,
  scope: RequestScope,
): Promise<Result<IssuedApiKey>> {
  const holder = await orgKeys(context, caller, organizationId);
  return holder.ok ? rollApiKey(context, holder.value, id, graceSeconds, scope) : holder;
}
