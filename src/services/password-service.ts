// Forgotten-password reset, and password change by the signed-in user. Both end other sessions
// and mail a notice after the response.

import { hashPassword } from "../crypto/password-hash";
import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { findUserByEmail, findUserById, markEmailVerified, replacePasswordEndingSessions } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { clearLoginFailuresForUser } from "./login-throttle";
import { buildMailLink, sendMailLater } from "./mail-delivery";
import { isDisabled } from "./model";
import { issueOneTimeCode, type Redemption, redeemOneTimeCode } from "./one-time-codes";
import { autoJoinVerifiedEmail } from "./org-domain-join";
import { checkPasswordPolicy } from "./password-policy";
import { recheckPassword } from "./reauthentication";
import { recordSecurityEvent } from "./security-events";
import { denySessionTokens } from "./session-service";
import type { AuthenticatedCaller } from "./token-verification";

/**
 * Answers at once with a request id, known address or not; the look-up, the code and the mail
 * happen after the response, so neither the answer nor its timing tells whether the account exists.
 */
export async function requestPasswordReset(
  context: ServiceContext,
  scope: RequestScope,
  rawEmail: string,
): Promise<Result<{ requestId: string }>> {
  const admitted = await admitSubject(context, "request_password_reset", { email: rawEmail });
  if (!admitted.ok) return admitted;
  const requestId = generateId();
  const email = normalizeEmail(rawEmail);
  if (email) scope.defer(sendResetCode(context, scope, email, requestId));
  return succeed({ requestId });
}

async function sendResetCode(
  context: ServiceContext,
  scope: RequestScope,
  email: string,
  requestId: string,
): Promise<void> {
  const user = await findUserByEmail(context.db, email);
  if (!user || isDisabled(user)) return;
  const issued = await issueOneTimeCode(context, {
    userId: user.id,
    purpose: "reset_password",
    target: user.email,
    requestId,
  });
  sendMailLater(context, scope, user.email, {
    kind: "reset_password",
    code: issued.code,
    link: buildMailLink(context.config.links.resetPassword, issued.linkToken),
    expiresInMinutes: issued.expiresInMinutes,
  });
}

export async function resetPassword(
  context: ServiceContext,
  scope: RequestScope,
  redemption: Redemption,
  newPassword: string,
): Promise<Result<void>> {
  const weakness = checkPasswordPolicy(newPassword, context.config, "newPassword");
  if (weakness) return fail("weak_password", { issues: [weakness] });
  // A set-password code (an account registered without one) is redeemed the same way.
  const redeemed = await redeemOneTimeCode(context, redemption, ["reset_password", "set_password"]);
  if (!redeemed.ok) return redeemed;
  const code = redeemed.value;
  // A code sent to an address the account has since left, or to an account since disabled, resets nothing.
  const current = await findUserById(context.db, code.userId);
  if (!current || current.email !== code.target || isDisabled(current)) {
    return fail("code_expired", { reason: "address changed or account disabled since the code was sent" });
  }
  const now = context.now();
  const replaced = await replacePasswordEndingSessions(context.db, {
    userId: code.userId,
    expectedHash: null,
    newHash: await hashPassword(newPassword, context.config.passwordScrypt),
    now,
    revokeReason: "password_reset",
    // The first proof of an address never verified: no factor, challenge or code set before it is
    // kept. The username too where verification is required (there, only a squatter could have set
    // it); with verification optional the account was usable unverified, and its owner can rename.
    ...(current.emailVerified
      ? {}
      : { discardUnproven: { clearUsername: context.config.emailVerification === "required" } }),
  });
  if (!replaced) return fail("code_expired", { reason: "user gone" });
  const { user } = replaced;
  // The code reached this address, which proves control of it.
  if (user.email === code.target) {
    await markEmailVerified(context.db, user.id, user.email, now);
    // A newly proven address joins its domain's auto_join organizations (the store re-checks it).
    await autoJoinVerifiedEmail(context, { ...user, emailVerified: true }, scope);
  }
  await denySessionTokens(context, [...replaced.revokedSessionIds, ...replaced.revokedKeyIds]);
  // A lock never blocks reset (forgot/reset do not consult it), and a completed reset lifts it.
  await clearLoginFailuresForUser(context, user);
  recordSecurityEvent(context, scope, {
    type: "password_reset",
    subjectUserId: user.id,
    actorUserId: user.id,
    detail: { via: code.purpose, sessions_ended: replaced.revokedSessionIds.length },
  });
  sendMailLater(context, scope, user.email, { kind: "password_changed" });
  return succeed(undefined);
}

export async function changePassword(
  context: ServiceContext,
  scope: RequestScope,
  client: ClientInfo,
  caller: AuthenticatedCaller,
  input: { currentPassword: string; newPassword: string },
): Promise<Result<void>> {
  const policy = context.config.passwordScrypt;
  const rechecked = await recheckPassword(
    context,
    client,
    caller.user.id,
    input.currentPassword,
    "password change",
    scope,
  );
  if (!rechecked.ok) return rechecked;
  const user = rechecked.value;
  const weakness = checkPasswordPolicy(input.newPassword, context.config, "newPassword");
  if (weakness) return fail("weak_password", { issues: [weakness] });
  const now = context.now();
  // Every other session ends with the change, in the same batch; the one making the change stays.
  const replaced = await replacePasswordEndingSessions(context.db, {
    userId: user.id,
    // Compare-and-swap on the hash just verified: a concurrent change wins over this one.
    expectedHash: user.passwordHash,
    newHash: await hashPassword(input.newPassword, policy),
    now,
    revokeReason: "password_changed",
    keepSessionId: caller.session.id,
  });
  if (!replaced) return fail("invalid_credentials", { reason: "password changed concurrently" });
  await denySessionTokens(context, replaced.revokedSessionIds);
  recordSecurityEvent(context, scope, {
    type: "password_changed",
    subjectUserId: user.id,
    actorUserId: user.id,
    detail: { session_id: caller.session.id, sessions_ended: replaced.revokedSessionIds.length },
  });
  sendMailLater(context, scope, user.email, { kind: "password_changed" });
  return succeed(undefined);
}
