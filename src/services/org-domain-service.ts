// An organization's email domains: add (normalized, never a public mail domain; answers the TXT record
// to publish), list, verify (the record read over DNS-over-HTTPS; a resolver outage changes nothing),
// set the policy and default role, remove. Every action needs "manage_domains" (org-permissions.ts).

import { generateId, generateOpaqueToken } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import {
  type DomainPolicy,
  deleteDomain,
  domainVerifiedElsewhere,
  findDomain,
  insertDomain,
  listDomains,
  markDomainVerified,
  updateDomainPolicy,
} from "../storage/org-domain-store";
import type { OrgDomainRow } from "../storage/schema";
import type { ServiceContext } from "./context";
import { requireOrgPermission } from "./org-access";
import { lookupTxt } from "./org-domain-dns";
import { normalizeDomain, verificationRecordName } from "./org-domain-names";
import { mayManageRole, type OrgRole } from "./org-permissions";
import { isPublicMailDomain } from "./org-public-domains";

export const VERIFICATION_PREFIX = "edge-auth-verify=";

export interface DomainSettings {
  policy?: DomainPolicy;
  defaultRole?: Exclude<OrgRole, "owner">;
}

async function manager(context: ServiceContext, organizationId: string, userId: string) {
  return requireOrgPermission(context, organizationId, userId, "manage_domains");
}

/** An admin never sets a default role above their own (the schema never lets it be owner). */
function roleAllowed(actor: OrgRole, settings: DomainSettings): Result<void> {
  if (settings.defaultRole && !mayManageRole(actor, settings.defaultRole)) {
    return fail("org_forbidden", { reason: `${actor} may not grant ${settings.defaultRole}` });
  }
  return succeed(undefined);
}

export async function addDomain(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  input: { domain: string } & DomainSettings,
): Promise<Result<OrgDomainRow>> {
  const access = await manager(context, organizationId, userId);
  if (!access.ok) return access;
  const allowed = roleAllowed(access.value.role, input);
  if (!allowed.ok) return allowed;
  const domain = normalizeDomain(input.domain);
  if (!domain) return fail("invalid_request", { issues: [{ field: "domain", message: "Not a domain name" }] });
  if (isPublicMailDomain(domain)) return fail("public_mail_domain", { reason: "public mail domain" });
  if (await domainVerifiedElsewhere(context.db, domain, organizationId)) {
    return fail("domain_taken", { reason: "verified by another organization" });
  }
  try {
    const row = await insertDomain(context.db, {
      id: generateId(),
      organizationId,
      domain,
      verificationToken: `${VERIFICATION_PREFIX}${generateOpaqueToken()}`,
      policy: input.policy ?? "suggest",
      defaultRole: input.defaultRole ?? "member",
      createdAt: context.now(),
    });
    return succeed(row);
  } catch (error) {
    if (uniqueViolation(error)) return fail("domain_taken", { reason: "already added to this organization" });
    throw error;
  }
}

export async function listOrganizationDomains(
  context: ServiceContext,
  userId: string,
  organizationId: string,
): Promise<Result<OrgDomainRow[]>> {
  const access = await manager(context, organizationId, userId);
  if (!access.ok) return access;
  return succeed(await listDomains(context.db, organizationId));
}

/**
 * Reads the TXT records at `_edge-auth.<domain>`; one holding exactly the row's value verifies it,
 * decided by one statement (no other organization verified the domain first). Already verified: as is.
 */
export async function verifyDomain(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  domainId: string,
): Promise<Result<OrgDomainRow>> {
  const access = await manager(context, organizationId, userId);
  if (!access.ok) return access;
  const row = await findDomain(context.db, organizationId, domainId);
  if (!row) return fail("domain_not_found", { reason: "no such domain of this organization" });
  if (row.verifiedAt !== null) return succeed(row);
  const lookup = await lookupTxt(context, verificationRecordName(row.domain));
  if (!lookup.ok) return fail("service_unavailable", { reason: "DNS resolver failed or timed out" });
  if (!lookup.values.some((value) => value.trim() === row.verificationToken)) {
    return fail("domain_verification_failed", { reason: "no TXT record with the expected value" });
  }
  try {
    const verified = await markDomainVerified(
      context.db,
      { organizationId, id: row.id, domain: row.domain },
      context.now(),
    );
    if (verified) return succeed(verified);
  } catch (error) {
    if (!uniqueViolation(error)) throw error;
  }
  const now = await findDomain(context.db, organizationId, domainId);
  if (now?.verifiedAt) return succeed(now);
  return now
    ? fail("domain_taken", { reason: "verified by another organization first" })
    : fail("domain_not_found", { reason: "removed meanwhile" });
}

export async function changeDomainSettings(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  domainId: string,
  settings: DomainSettings,
): Promise<Result<OrgDomainRow>> {
  const access = await manager(context, organizationId, userId);
  if (!access.ok) return access;
  const allowed = roleAllowed(access.value.role, settings);
  if (!allowed.ok) return allowed;
  const row = await updateDomainPolicy(context.db, { organizationId, id: domainId }, settings);
  return row ? succeed(row) : fail("domain_not_found", { reason: "no such domain of this organization" });
}

export async function removeDomain(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  domainId: string,
): Promise<Result<void>> {
  const access = await manager(context, organizationId, userId);
  if (!access.ok) return access;
  const removed = await deleteDomain(context.db, organizationId, domainId);
  return removed ? succeed(undefined) : fail("domain_not_found", { reason: "no such domain of this organization" });
}
