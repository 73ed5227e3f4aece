// A membership as another Worker asks about it (RPC getMembership): active, of a live organization.

import { findActiveMembership } from "../storage/org-store";
import type { ServiceContext } from "./context";

export async function findMembership(context: ServiceContext, userId: string, orgId: string) {
  const found = await findActiveMembership(context.db, orgId, userId);
  if (!found) return null;
  return {
    orgId: found.organization.id,
    orgSlug: found.organization.slug,
    userId,
    role: found.membership.role,
    createdAt: found.membership.createdAt,
  };
}
