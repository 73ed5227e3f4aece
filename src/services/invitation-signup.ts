// Sign-up with an invitation (native `invite_token`, NAP's inviteToken): the account, the invitation consumed and the
// membership with the invitation's role, in one batch (invitation-signup-store.ts). The invitation
// was mailed to the invited address, so holding its token proves that address: the account starts
// verified, as following the mailed link counts as verification for POST /v1/invitations/accept.
// Unknown, used, revoked, expired, another address's, or a deleted organization's: one answer.

import { sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import { insertUserAcceptingInvitation, noInvitationConsumed } from "../storage/invitation-signup-store";
import { findUserById } from "../storage/user-store";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { toUser, type User } from "./model";
import { refuseDuplicate } from "./registration";
import { recordSecurityEvent } from "./security-events";
import { openSession } from "./session-opening";
import { newPasswordAccount, type SignUpInput } from "./signup-service";
import type { IssuedTokens } from "./token-issuer";

export async function signUpWithInvitation(
  context: ServiceContext,
  input: SignUpInput,
  inviteToken: string,
  scope?: RequestScope,
): Promise<Result<{ user: User; organizationId: string; role: string }>> {
  const prepared = await newPasswordAccount(context, input);
  if (!prepared.ok) return prepared;
  const user = { ...prepared.value, emailVerified: true };
  let accepted: Awaited<ReturnType<typeof insertUserAcceptingInvitation>>;
  try {
    accepted = await insertUserAcceptingInvitation(context.db, user, await sha256Base64Url(inviteToken), context.now());
  } catch (error) {
    if (uniqueViolation(error)) return refuseDuplicate(error);
    if (noInvitationConsumed(error))
      return fail("invalid_invitation", { reason: "invitation not consumed at sign-up" });
    throw error;
  }
  if (!accepted) return fail("invalid_invitation", { reason: "invitation not consumed at sign-up" });
  recordSecurityEvent(context, scope, {
    type: "org_member_added",
    subjectUserId: user.id,
    actorUserId: accepted.inviterUserId,
    orgId: accepted.organizationId,
    detail: { role: accepted.role, via: "invitation_signup" },
  });
  return succeed({ user: toUser(user), organizationId: accepted.organizationId, role: accepted.role });
}

/** The native sign-up with `invite_token`: the same batch, then a session (the address is proven). */
export async function signUpByInvitation(
  context: ServiceContext,
  input: SignUpInput,
  inviteToken: string,
  client: ClientInfo,
  scope?: RequestScope,
): Promise<Result<{ user: User; tokens: IssuedTokens; organizationId: string; role: string }>> {
  const joined = await signUpWithInvitation(context, input, inviteToken, scope);
  if (!joined.ok) return joined;
  const row = await findUserById(context.db, joined.value.user.id);
  if (!row) return fail("invalid_invitation", { reason: "account gone after invitation sign-up" });
  const tokens = await openSession(context, row, client, ["pwd"]);
  return succeed({ ...joined.value, tokens });
}
