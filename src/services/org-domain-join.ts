// What a verified organization domain does for people with an address at it: auto_join makes a person
// whose address just became verified a member (never at an unverified sign-up), suggest lists the
// organization to them, restrict lets the NAP dialect's "organizations required" sign-up through. Only
// the exact domain counts (an address at eng.acme.com is not acme.com's), and only a verified address.

import { findVerifiedDomainOrgs, joinByVerifiedDomain } from "../storage/org-domain-store";
import type { OrganizationRow, UserRow } from "../storage/schema";
import { classifyUnexpectedError } from "../unexpected-error";
import type { RequestScope, ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { domainOfEmail } from "./org-domain-names";
import { recordSecurityEvent } from "./security-events";

/**
 * Called where an address becomes verified (email-verification-service.ts): joins the auto_join
 * organizations of its domain. Idempotent; a suspended or existing membership stays as it is.
 */
export async function autoJoinVerifiedEmail(
  context: ServiceContext,
  user: Pick<UserRow, "id" | "email" | "emailVerified">,
  scope?: RequestScope,
): Promise<void> {
  if (!user.emailVerified) return;
  const domain = domainOfEmail(user.email);
  if (!domain) return;
  let joined: Awaited<ReturnType<typeof joinByVerifiedDomain>>;
  try {
    joined = await joinByVerifiedDomain(context.db, user, domain, context.now());
  } catch (error) {
    // The address is verified already; a failed join must not turn that into an error answer.
    console.error(JSON.stringify({ event: "org_auto_join_failed", reason: classifyUnexpectedError(error).reason }));
    return;
  }
  for (const membership of joined) {
    recordSecurityEvent(context, scope, {
      type: "org_member_added",
      subjectUserId: user.id,
      orgId: membership.organizationId,
      detail: { role: membership.role, via: "domain" },
    });
  }
}

export interface OrgSuggestion {
  organization: OrganizationRow;
  domain: string;
}

/**
 * GET /v1/me/org-suggestions: organizations whose verified suggest domain is the caller's verified
 * address's, without those the caller is (or was suspended as) a member of.
 */
export async function listOrgSuggestions(
  context: ServiceContext,
  user: { id: string; email: string; emailVerified: boolean },
): Promise<OrgSuggestion[]> {
  if (!user.emailVerified) return [];
  const domain = domainOfEmail(user.email);
  if (!domain) return [];
  const found = await findVerifiedDomainOrgs(context.db, domain, ["suggest"], user.id);
  return found.map((row) => ({ organization: row.organization, domain: row.domain.domain }));
}

/**
 * For a sign-up where organizations are required (the NAP dialect): true when a live organization
 * holds the address's domain verified with policy restrict (sign-up limited to its domain) or
 * auto_join (the person will join it once the address is verified). A malformed address: false.
 */
export async function signUpAllowedForDomain(context: ServiceContext, email: string): Promise<boolean> {
  const normalized = normalizeEmail(email);
  const domain = normalized ? domainOfEmail(normalized) : null;
  if (!domain) return false;
  const found = await findVerifiedDomainOrgs(context.db, domain, ["restrict", "auto_join"]);
  return found.length > 0;
}
