// Invitations: an owner or admin invites an address with a role (never above their own), the mail
// carries a link and the same token as a code; list, revoke, resend (a new token, the old one dies);
// accept: the signed-in user's verified email must be the invited one, and one statement consumes it.

import { generateId, generateOpaqueToken, sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import {
  acceptInvitation as consumeInvitation,
  findInvitationByHash,
  insertInvitation,
  listPendingInvitations,
  reissueInvitation,
  revokeInvitation,
} from "../storage/org-invitation-store";
import type { InvitationRow } from "../storage/schema";
import type { RequestScope, ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { MAX_REFRESH_TOKEN_LENGTH } from "./input-limits";
import { buildMailLink, sendMailNow } from "./mail-delivery";
import { requireOrgPermission } from "./org-access";
import { mayManageRole, type OrgRole } from "./org-permissions";
import type { UserSessionPrincipal } from "./principal";
import { recordSecurityEvent } from "./security-events";

export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

/** The page the mailed link opens: `/accept-invitation` beside the app's verification page. */
const invitationLink = (context: ServiceContext, token: string) =>
  buildMailLink(new URL("/accept-invitation", context.config.links.verifyEmail).toString(), token);

async function mailInvitation(
  context: ServiceContext,
  invitation: InvitationRow,
  token: string,
  orgName: string,
): Promise<Result<void>> {
  return sendMailNow(context, invitation.email, {
    kind: "org_invitation",
    code: token,
    link: invitationLink(context, token),
    expiresInMinutes: INVITATION_TTL_SECONDS / 60,
    orgName,
  });
}

export async function createInvitation(
  context: ServiceContext,
  inviterId: string,
  organizationId: string,
  input: { email: string; role: OrgRole },
): Promise<Result<InvitationRow>> {
  const access = await requireOrgPermission(context, organizationId, inviterId, "invite");
  if (!access.ok) return access;
  if (!mayManageRole(access.value.role, input.role)) {
    return fail("org_forbidden", { reason: `${access.value.role} may not invite ${input.role}` });
  }
  const email = normalizeEmail(input.email);
  if (!email) return fail("invalid_request", { issues: [{ field: "email", message: "Not an email address" }] });
  const token = generateOpaqueToken();
  const now = context.now();
  const invitation = await insertInvitation(context.db, {
    id: generateId(),
    organizationId,
    email,
    role: input.role,
    inviterUserId: inviterId,
    tokenHash: await sha256Base64Url(token),
    createdAt: now,
    expiresAt: now + INVITATION_TTL_SECONDS,
  });
  // The invitation stays stored when mail fails (503): resend it.
  const mailed = await mailInvitation(context, invitation, token, access.value.organization.name);
  return mailed.ok ? succeed(invitation) : mailed;
}

export async function listInvitations(
  context: ServiceContext,
  userId: string,
  organizationId: string,
): Promise<Result<InvitationRow[]>> {
  const access = await requireOrgPermission(context, organizationId, userId, "manage_invitations");
  if (!access.ok) return access;
  return succeed(await listPendingInvitations(context.db, organizationId, context.now()));
}

export async function cancelInvitation(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  invitationId: string,
): Promise<Result<void>> {
  const access = await requireOrgPermission(context, organizationId, userId, "manage_invitations");
  if (!access.ok) return access;
  const revoked = await revokeInvitation(context.db, organizationId, invitationId, context.now());
  return revoked ? succeed(undefined) : fail("invitation_not_found", { reason: "no pending invitation" });
}

export async function resendInvitation(
  context: ServiceContext,
  userId: string,
  organizationId: string,
  invitationId: string,
): Promise<Result<InvitationRow>> {
  const access = await requireOrgPermission(context, organizationId, userId, "manage_invitations");
  if (!access.ok) return access;
  const token = generateOpaqueToken();
  const now = context.now();
  const fresh = { tokenHash: await sha256Base64Url(token), expiresAt: now + INVITATION_TTL_SECONDS };
  const invitation = await reissueInvitation(context.db, organizationId, invitationId, fresh, now);
  if (!invitation) return fail("invitation_not_found", { reason: "no pending invitation" });
  const mailed = await mailInvitation(context, invitation, token, access.value.organization.name);
  return mailed.ok ? succeed(invitation) : mailed;
}

export async function acceptInvitation(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  token: string,
  scope: RequestScope,
): Promise<Result<InvitationRow>> {
  if (token.length === 0 || token.length > MAX_REFRESH_TOKEN_LENGTH) {
    return fail("invalid_invitation", { reason: "token of impossible length" });
  }
  // An unverified caller at the invited address proves it with the token (it was mailed there): the
  // same batch that accepts marks the address verified (issue 13: following the link counts).
  const tokenHash = await sha256Base64Url(token);
  const now = context.now();
  const accepted = await consumeInvitation(context.db, tokenHash, caller.user, now);
  if (accepted) {
    recordSecurityEvent(context, scope, {
      type: "org_member_added",
      subjectUserId: caller.user.id,
      actorUserId: accepted.inviterUserId,
      orgId: accepted.organizationId,
      detail: { role: accepted.role, via: "invitation" },
    });
    return succeed(accepted);
  }
  return fail(await whyNotAccepted(context, tokenHash, caller.user, now), { reason: "invitation not consumed" });
}

/** Only a pending invitation's own addressee learns more than "invalid" (already a member, or another email). */
async function whyNotAccepted(
  context: ServiceContext,
  tokenHash: string,
  user: { id: string; email: string },
  now: number,
): Promise<"invalid_invitation" | "invitation_email_mismatch" | "already_member"> {
  const row = await findInvitationByHash(context.db, tokenHash);
  if (!row || row.acceptedAt !== null || row.revokedAt !== null || row.expiresAt <= now) return "invalid_invitation";
  if (row.email !== user.email) return "invitation_email_mismatch";
  const member = await requireOrgPermission(context, row.organizationId, user.id, "read");
  return member.ok ? "already_member" : "invalid_invitation";
}
