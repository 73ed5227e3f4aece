// Password reset for clients that send back the address with the mailed code, not the request id
// (Bookings' /auth/password/reset/verify {email, otp}): the account's newest live reset or
// set-password code is found by address, guessed against the core's budget like any other, and a
// right code is exchanged for a fresh single-use reset token (a link token of a new code), which
// resetPassword then redeems. Also the reset request whose document promises a 404 for an address
// without an account.

import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { type CodePurpose, findLiveCodeIdByEmail } from "../storage/one-time-code-store";
import { findUserByEmail } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import { type RequestScope, type ServiceContext, sessionWindow } from "./context";
import { normalizeEmail } from "./identifiers";
import { buildMailLink, sendMailNow } from "./mail-delivery";
import { isDisabled } from "./model";
import { issueOneTimeCode, redeemOneTimeCode } from "./one-time-codes";
import { checkPasswordPolicy } from "./password-policy";
import { requestPasswordReset, resetPassword } from "./password-service";

/** The codes that set a password: a reset's, and the one a password-less registration mailed. */
const SETTING_PURPOSES: CodePurpose[] = ["reset_password", "set_password"];
const CODE_INPUT = /^\d{1,16}$/;
const INVALID_EMAIL = { field: "email", message: "is not a valid email address" };

export type UnknownAddressAnswer = "not_found" | "ok";

/**
 * Mails a reset code. `ok`: the core's requestPasswordReset (every address alike, the work after the
 * response). `not_found`: an address without an enabled account answers not_found, as a document
 * promises; the gates still come first, and the mail is sent before answering (503 when it fails).
 */
export async function requestResetCode(
  context: ServiceContext,
  scope: RequestScope,
  rawEmail: string,
  unknownAddress: UnknownAddressAnswer,
): Promise<Result<void>> {
  // A malformed address names no account either way: saying so reveals nothing.
  if (!normalizeEmail(rawEmail)) return fail("invalid_request", { issues: [INVALID_EMAIL] });
  if (unknownAddress === "ok") {
    const requested = await requestPasswordReset(context, scope, rawEmail);
    return requested.ok ? succeed(undefined) : requested;
  }
  const admitted = await admitSubject(context, "request_password_reset", { email: rawEmail });
  if (!admitted.ok) return admitted;
  const user = await findUserByEmail(context.db, normalizeEmail(rawEmail) ?? "");
  if (!user || isDisabled(user)) return fail("not_found", { reason: "reset for an address without an account" });
  const issued = await issueOneTimeCode(context, { userId: user.id, purpose: "reset_password", target: user.email });
  return sendMailNow(context, user.email, {
    kind: "reset_password",
    code: issued.code,
    link: buildMailLink(context.config.links.resetPassword, issued.linkToken),
    expiresInMinutes: issued.expiresInMinutes,
  });
}

/**
 * Redeems the newest live reset or set-password code of the account at `email` and answers a new
 * single-use reset token in its place (valid for OTP_TTL_SECONDS). An unknown address does the same
 * work (one look-up, one hash, one guess batch) and answers what a wrong code does: invalid_code.
 */
export async function exchangeResetCode(
  context: ServiceContext,
  input: { email: string; code: string },
): Promise<Result<{ token: string }>> {
  if (!CODE_INPUT.test(input.code)) {
    return fail("invalid_request", { issues: [{ field: "code", message: "must be digits" }] });
  }
  const email = normalizeEmail(input.email);
  if (!email) return fail("invalid_request", { issues: [INVALID_EMAIL] });
  const liveId = await findLiveCodeIdByEmail(context.db, email, SETTING_PURPOSES, sessionWindow(context));
  // No live code: a fresh id names nothing, so the guess below is dead and counts nowhere.
  const redeemed = await redeemOneTimeCode(
    context,
    { requestId: liveId ?? generateId(), code: input.code },
    SETTING_PURPOSES,
  );
  if (!redeemed.ok) return redeemed;
  const { userId, purpose, target } = redeemed.value;
  const issued = await issueOneTimeCode(context, { userId, purpose, target });
  return succeed({ token: issued.linkToken });
}

/**
 * Sets the password with the address and the mailed code in one step. The new password is checked
 * first, so a refused one leaves the code unspent; then as exchangeResetCode and resetPassword.
 */
export async function resetPasswordWithEmailCode(
  context: ServiceContext,
  scope: RequestScope,
  input: { email: string; code: string },
  newPassword: string,
): Promise<Result<void>> {
  const weakness = checkPasswordPolicy(newPassword, context.config, "newPassword");
  if (weakness) return fail("weak_password", { issues: [weakness] });
  const exchanged = await exchangeResetCode(context, input);
  if (!exchanged.ok) return exchanged;
  return resetPassword(context, scope, { token: exchanged.value.token }, newPassword);
}
