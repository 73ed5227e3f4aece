// Email verification by code or link, its resend, and the confirmation step of an email change.

import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import type { MailTemplate } from "../mail/templates";
import { uniqueViolation } from "../storage/database";
import type { NewOneTimeCode } from "../storage/one-time-code-store";
import type { OneTimeCodeRow, UserRow } from "../storage/schema";
import { findUserByEmail, findUserById, markEmailVerified, switchEmail } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import { type ClientInfo, type RequestScope, type ServiceContext, sessionWindow } from "./context";
import { normalizeEmail } from "./identifiers";
import { buildMailLink, sendMailLater, sendMailNow } from "./mail-delivery";
import { finishFirstFactor, type MfaMethod } from "./mfa-service";
import { isDisabled, toUser, type User } from "./model";
import {
  type IssuedCode,
  issueOneTimeCode,
  prepareOneTimeCode,
  type Redemption,
  redeemOneTimeCode,
} from "./one-time-codes";
import { autoJoinVerifiedEmail } from "./org-domain-join";
import { recordSecurityEvent } from "./security-events";
import { recordSignInSucceeded } from "./sign-in-events";
import type { IssuedTokens } from "./token-issuer";

/** A verification code for a user not yet stored, with the row to store beside them (sign-up's batch). */
export function prepareVerificationCode(
  context: ServiceContext,
  user: Pick<UserRow, "id" | "email">,
): Promise<{ row: NewOneTimeCode; issued: IssuedCode }> {
  return prepareOneTimeCode(context, { userId: user.id, purpose: "verify_email", target: user.email });
}

/** Mails an issued verification code to `to`; the caller waits for delivery. */
export async function mailVerificationCode(
  context: ServiceContext,
  to: string,
  issued: IssuedCode,
): Promise<Result<{ requestId: string }>> {
  const sent = await sendMailNow(context, to, verificationMail(context, issued));
  return sent.ok ? succeed({ requestId: issued.requestId }) : sent;
}

/** What a verification mail carries: the code and the link, or (for a surface that redeems links only) the link. */
export type VerificationMailContent = "code_and_link" | "link";

function verificationMail(
  context: ServiceContext,
  issued: IssuedCode,
  content: VerificationMailContent = "code_and_link",
): MailTemplate {
  return {
    kind: "verify_email",
    ...(content === "code_and_link" ? { code: issued.code } : {}),
    link: buildMailLink(context.config.links.verifyEmail, issued.linkToken),
    expiresInMinutes: issued.expiresInMinutes,
  };
}

/**
 * Resend answers at once and the same for unknown, verified and unverified addresses: a request id.
 * The look-up, the code (stored under that id, replacing the previous one) and the mail happen after
 * the response, so neither the answer, its timing nor a provider outage tells the addresses apart.
 */
export async function resendVerificationCode(
  context: ServiceContext,
  scope: RequestScope,
  rawEmail: string,
  content: VerificationMailContent = "code_and_link",
): Promise<Result<{ requestId: string }>> {
  const admitted = await admitSubject(context, "resend_verification", { email: rawEmail });
  if (!admitted.ok) return admitted;
  const requestId = generateId();
  const email = normalizeEmail(rawEmail);
  if (email) scope.defer(resendLater(context, scope, email, requestId, content));
  return succeed({ requestId });
}

async function resendLater(
  context: ServiceContext,
  scope: RequestScope,
  email: string,
  requestId: string,
  content: VerificationMailContent,
): Promise<void> {
  const user = await findUserByEmail(context.db, email);
  if (!user || user.emailVerified || isDisabled(user)) return;
  const issued = await issueOneTimeCode(context, {
    userId: user.id,
    purpose: "verify_email",
    target: user.email,
    requestId,
  });
  sendMailLater(context, scope, user.email, verificationMail(context, issued, content));
}

export type EmailVerification =
  | { kind: "verified"; user: User; tokens: IssuedTokens }
  /** The account has a second factor: the link proved the mailbox, the challenge must still be met. */
  | { kind: "mfa_required"; user: User; mfaToken: string; methods: MfaMethod[]; expiresIn: number }
  | { kind: "email_changed"; user: User };

export async function verifyEmail(
  context: ServiceContext,
  redemption: Redemption,
  client: ClientInfo,
  scope?: RequestScope,
): Promise<Result<EmailVerification>> {
  const redeemed = await redeemOneTimeCode(context, redemption, ["verify_email", "change_email"]);
  if (!redeemed.ok) return redeemed;
  const code = redeemed.value;

  if (code.purpose === "change_email") {
    try {
      const user = await switchEmail(context.db, {
        userId: code.userId,
        email: code.target,
        sessionId: code.sessionId,
        window: sessionWindow(context),
        displaceUnverified: context.config.emailVerification === "required",
      });
      if (!user) return fail("code_expired", { reason: "asking session ended, account disabled or gone" });
      await autoJoinVerifiedEmail(context, user, scope);
      // Never the addresses themselves: the account's own record shows the current one.
      recordSecurityEvent(context, scope, {
        type: "email_changed",
        subjectUserId: user.id,
        actorUserId: user.id,
        ...(code.sessionId ? { detail: { session_id: code.sessionId } } : {}),
      });
      return succeed({ kind: "email_changed", user: toUser(user) });
    } catch (error) {
      if (uniqueViolation(error) === "users.email")
        return fail("email_taken", { reason: "new address registered meanwhile" });
      throw error;
    }
  }

  const verified = await markVerified(context, code);
  if (!verified.ok) return verified;
  const user = verified.value;
  recordSecurityEvent(context, scope, { type: "email_verified", subjectUserId: user.id, actorUserId: user.id });
  const outcome = await finishFirstFactor(context, user, client, ["otp"]);
  if (outcome.kind === "mfa_required") return succeed({ ...outcome, user: toUser(user) });
  recordSignInSucceeded(context, scope, user.id, outcome.tokens);
  return succeed({ kind: "verified", user: outcome.user, tokens: outcome.tokens });
}

/** Marks the code's address verified, if it is still the account's and the account is not disabled. */
export async function markVerified(context: ServiceContext, code: OneTimeCodeRow): Promise<Result<UserRow>> {
  const user =
    (await markEmailVerified(context.db, code.userId, code.target, context.now())) ??
    (await findUserById(context.db, code.userId));
  if (!user || user.email !== code.target || isDisabled(user)) {
    return fail("code_expired", { reason: "address changed or account disabled since the code was sent" });
  }
  await autoJoinVerifiedEmail(context, user);
  return succeed(user);
}

/**
 * Verifies the address with a mail link's token and opens no session (a surface whose client signs
 * in afterwards, as NAP's verify-email/verify). Unknown, used, replaced or expired → code_expired.
 */
export async function confirmEmailLink(context: ServiceContext, token: string): Promise<Result<User>> {
  const redeemed = await redeemOneTimeCode(context, { token }, ["verify_email"]);
  if (!redeemed.ok) return redeemed;
  const verified = await markVerified(context, redeemed.value);
  return verified.ok ? succeed(toUser(verified.value)) : verified;
}
