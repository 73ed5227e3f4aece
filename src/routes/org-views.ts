// The native shapes of organizations, members and invitations (snake_case, ISO 8601 times; never an
// invitation's token or hash).

import type { Invitation as InvitationRow, MemberRecord } from "../services/org-model";
import type { MyOrganization } from "../services/org-service";

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function toPublicOrganization(org: MyOrganization) {
  return {
    id: org.id,
    slug: org.slug,
    name: org.name,
    settings: org.settings,
    role: org.role,
    created_at: iso(org.createdAt),
    updated_at: iso(org.updatedAt),
  };
}

export function toPublicMember({ membership, user }: MemberRecord) {
  return {
    user_id: user.id,
    email: user.email,
    name: user.name,
    role: membership.role,
    status: membership.status,
    created_at: iso(membership.createdAt),
  };
}

export function toPublicInvitation(invitation: InvitationRow) {
  return {
    id: invitation.id,
    organization_id: invitation.organizationId,
    email: invitation.email,
    role: invitation.role,
    created_at: iso(invitation.createdAt),
    expires_at: iso(invitation.expiresAt),
  };
}
