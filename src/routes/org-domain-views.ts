// The native shapes of organization email domains (snake_case, ISO 8601 times) and of suggestions.

import type { OrgSuggestion } from "../services/org-domain-join";
import { verificationRecordName } from "../services/org-domain-names";
import type { OrgDomain as OrgDomainRow } from "../services/org-model";

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function toPublicDomain(row: OrgDomainRow) {
  return {
    id: row.id,
    organization_id: row.organizationId,
    domain: row.domain,
    policy: row.policy,
    default_role: row.defaultRole,
    verified: row.verifiedAt !== null,
    verified_at: row.verifiedAt === null ? null : iso(row.verifiedAt),
    verification: { type: "TXT" as const, name: verificationRecordName(row.domain), value: row.verificationToken },
    created_at: iso(row.createdAt),
  };
}

export function toPublicSuggestion({ organization, domain }: OrgSuggestion) {
  return { id: organization.id, slug: organization.slug, name: organization.name, domain };
}
