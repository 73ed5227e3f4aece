// The organization claims of an access token, re-read from D1 each time a token is issued for a
// session scoped to an organization: a removed or suspended member, or a deleted organization, gets
// none (the token is then a plain one of the person).

import { findActiveMembership } from "../storage/org-store";
import type { ServiceContext } from "./context";

export interface OrgClaims {
  org: string;
  role: string;
  org_slug: string;
}

export async function orgClaimsFor(
  context: ServiceContext,
  userId: string,
  activeOrganizationId: string | null | undefined,
): Promise<OrgClaims | Record<string, never>> {
  if (!activeOrganizationId) return {};
  const found = await findActiveMembership(context.db, activeOrganizationId, userId);
  if (!found) return {};
  return { org: found.organization.id, role: found.membership.role, org_slug: found.organization.slug };
}
