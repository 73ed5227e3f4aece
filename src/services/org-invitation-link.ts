// The invitation mail's link, opened without a session (src/pages/invitation-page.ts). The link proves
// that whoever follows it reads the invited mailbox, but says nothing about which account they hold.
// So it accepts only for the account at that address whose address is already verified (that account
// is the mailbox owner's). It never marks an address verified: an unverified account at the address
// may be a squatter's (registered with the squatter's password before the owner showed up), and
// verifying it from a victim's click would hand the squatter a verified account inside the
// organization. Such an account, or none, is told what to do instead; nothing is consumed then.

import { sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { acceptInvitation, findPendingInvitationWithOrg } from "../storage/org-invitation-store";
import { findUserByEmail } from "../storage/user-store";
import type { RequestScope, ServiceContext } from "./context";
import { MAX_REFRESH_TOKEN_LENGTH } from "./input-limits";
import { isDisabled } from "./model";
import { recordSecurityEvent } from "./security-events";

export interface InvitationPreview {
  organizationName: string;
  email: string;
}

export type LinkAcceptance =
  | ({ kind: "joined" } & InvitationPreview)
  | ({ kind: "already_member" } & InvitationPreview)
  /** No account holds the address: sign up with it, then follow the link again (or accept in the app). */
  | ({ kind: "sign_up_first" } & InvitationPreview)
  /** An account holds it unverified: verify the address (or reset the password) first; nothing changed. */
  | ({ kind: "verify_first" } & InvitationPreview);

async function pendingOf(context: ServiceContext, token: string) {
  if (token.length === 0 || token.length > MAX_REFRESH_TOKEN_LENGTH) return undefined;
  return findPendingInvitationWithOrg(context.db, await sha256Base64Url(token), context.now());
}

/** What the link's page shows before the click: the organization and the invited address. Changes nothing. */
export async function previewInvitation(context: ServiceContext, token: string): Promise<Result<InvitationPreview>> {
  const found = await pendingOf(context, token);
  if (!found) return fail("invalid_invitation", { reason: "no pending invitation for this link" });
  return succeed({ organizationName: found.organization.name, email: found.invitation.email });
}

export async function acceptInvitationByLink(
  context: ServiceContext,
  token: string,
  scope: RequestScope,
): Promise<Result<LinkAcceptance>> {
  const found = await pendingOf(context, token);
  if (!found) return fail("invalid_invitation", { reason: "no pending invitation for this link" });
  const { invitation, organization } = found;
  const preview = { organizationName: organization.name, email: invitation.email };
  const user = await findUserByEmail(context.db, invitation.email);
  if (user && isDisabled(user)) return fail("invalid_invitation", { reason: "the invited account is disabled" });
  if (!user) return succeed({ kind: "sign_up_first", ...preview });
  if (!user.emailVerified) return succeed({ kind: "verify_first", ...preview });
  const accepted = await acceptInvitation(context.db, invitation.tokenHash, user, context.now());
  if (accepted) {
    recordSecurityEvent(context, scope, {
      type: "org_member_added",
      subjectUserId: user.id,
      actorUserId: accepted.inviterUserId,
      orgId: accepted.organizationId,
      detail: { role: accepted.role, via: "invitation_link" },
    });
    return succeed({ kind: "joined", ...preview });
  }
  // Not consumed: a parallel click won, or the person is a member already (the invitation stays).
  const again = await findPendingInvitationWithOrg(context.db, invitation.tokenHash, context.now());
  if (!again) return fail("invalid_invitation", { reason: "consumed meanwhile" });
  return succeed({ kind: "already_member", ...preview });
}
