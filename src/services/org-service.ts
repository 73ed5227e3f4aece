// Organizations themselves: create (the creator becomes its owner), list the caller's, read, update,
// and soft-delete (its pending invitations and API keys end, and the sessions scoped to it lose it and
// are denylisted for it). Every action passes the permission table (org-access.ts).

import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import { denySessions } from "../storage/kv/revocation-store";
import {
  insertOrganizationWithOwner,
  listActiveMemberships,
  type OrgMembership,
  softDeleteOrganization,
  updateOrganization,
} from "../storage/org-store";
import type { OrganizationRow } from "../storage/schema";
import type { RequestScope, ServiceContext } from "./context";
import { requireOrgPermission } from "./org-access";
import { denyOrgScopedTokens } from "./org-denylist";
import type { OrgRole } from "./org-permissions";
import type { UserSessionPrincipal } from "./principal";
import { recordSecurityEvent } from "./security-events";

export type OrgSettings = Record<string, string | number | boolean | null>;

export interface Organization {
  id: string;
  slug: string;
  name: string;
  settings: OrgSettings;
  createdAt: number;
  updatedAt: number;
}

/** An organization as one of its members sees it, with their role. */
export interface MyOrganization extends Organization {
  role: OrgRole;
}

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: JSON.parse(row.settings) as OrgSettings,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const mine = (found: OrgMembership): MyOrganization => ({
  ...toOrganization(found.organization),
  role: found.membership.role,
});

export interface OrgFields {
  slug: string;
  name: string;
  settings?: OrgSettings;
}

const slugTaken = (error: unknown) => uniqueViolation(error) === "organizations.slug";

export async function createOrganization(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  fields: OrgFields,
  scope: RequestScope,
): Promise<Result<MyOrganization>> {
  const now = context.now();
  const id = generateId();
  const row = { id, slug: fields.slug, name: fields.name, settings: JSON.stringify(fields.settings ?? {}) };
  const owner = { organizationId: id, userId: caller.user.id, role: "owner" as const, createdAt: now, updatedAt: now };
  try {
    await insertOrganizationWithOwner(context.db, { ...row, createdAt: now, updatedAt: now }, owner);
  } catch (error) {
    if (slugTaken(error)) return fail("org_slug_taken", { reason: "slug in use" });
    throw error;
  }
  recordSecurityEvent(context, scope, {
    type: "org_member_added",
    subjectUserId: caller.user.id,
    actorUserId: caller.user.id,
    orgId: id,
    detail: { role: "owner", via: "create" },
  });
  return succeed({ ...toOrganization({ ...row, createdAt: now, updatedAt: now, deletedAt: null }), role: "owner" });
}

export async function listMyOrganizations(context: ServiceContext, userId: string): Promise<MyOrganization[]> {
  return (await listActiveMemberships(context.db, userId)).map(mine);
}

export async function readOrganization(
  context: ServiceContext,
  userId: string,
  organizationId: string,
): Promise<Result<MyOrganization>> {
  const access = await requireOrgPermission(context, organizationId, userId, "read");
  return access.ok ? succeed(mine(access.value)) : access;
}

export async function changeOrganization(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  fields: Partial<OrgFields>,
): Promise<Result<MyOrganization>> {
  const access = await requireOrgPermission(context, organizationId, userId, "update");
  if (!access.ok) return access;
  const changes = {
    ...(fields.slug === undefined ? {} : { slug: fields.slug }),
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.settings === undefined ? {} : { settings: JSON.stringify(fields.settings) }),
  };
  try {
    const row = await updateOrganization(context.db, organizationId, changes, context.now());
    if (!row) return fail("org_not_found", { reason: "deleted meanwhile" });
    return succeed({ ...toOrganization(row), role: access.value.role });
  } catch (error) {
    if (slugTaken(error)) return fail("org_slug_taken", { reason: "slug in use" });
    throw error;
  }
}

export async function deleteOrganization(
  context: ServiceContext,
  userId: string,
  organizationId: string,
): Promise<Result<void>> {
  const access = await requireOrgPermission(context, organizationId, userId, "delete");
  if (!access.ok) return access;
  const { deleted, sessionIds, apiKeyIds } = await softDeleteOrganization(context.db, organizationId, context.now());
  if (!deleted) return fail("org_not_found", { reason: "deleted meanwhile" });
  await denyOrgScopedTokens(context, sessionIds, organizationId);
  // Tokens exchanged for its keys carry the key's id as `sid`.
  if (apiKeyIds.length > 0) await denySessions(context.kv, apiKeyIds, context.config.accessTokenTtlSeconds);
  return succeed(undefined);
}
