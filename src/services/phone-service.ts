// Phone numbers: set one (E.164) and prove it with a code sent by SMS.
// Codes are the mail flows' one-time codes (keyed hashes, OTP_TTL_SECONDS, attempts and consumption
// decided in D1), bound to the account and to the number they were sent to.

import { fail, type Result, succeed } from "../errors";
import { markPhoneVerified, storePhoneNumber } from "../storage/phone-store";
import { findUserById } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import type { ServiceContext } from "./context";
import { toUser, type User } from "./model";
import { issueOneTimeCode, redeemOneTimeCode } from "./one-time-codes";
import type { Principal } from "./principal";
import { sendSmsNow } from "./sms-sending";

/** E.164: "+", a country code that does not start with 0, 8 to 15 digits in all (ITU-T E.164 §6). */
const E164 = /^\+[1-9]\d{7,14}$/;
/** What people type between digits; removed before the number is checked. */
const SEPARATORS = /[\s().-]/g;
const MAX_PHONE_INPUT_LENGTH = 32;

const INVALID_PHONE = { field: "phone", message: "must be an E.164 number: + and 8 to 15 digits, no leading 0" };

/** The number in E.164, or null; spaces, dots, dashes and parentheses are dropped first. */
export function normalizePhoneNumber(raw: string): string | null {
  if (raw.length > MAX_PHONE_INPUT_LENGTH) return null;
  const compact = raw.trim().replace(SEPARATORS, "");
  return E164.test(compact) ? compact : null;
}

/**
 * Stores the number (a new number starts unverified, with SMS sign-in off) and texts it a code. The
 * number stays stored when the provider fails, so asking again later resends to it.
 */
export async function requestPhoneVerification(
  context: ServiceContext,
  { user }: Principal,
  rawPhone: string,
): Promise<Result<{ requestId: string; phone: string }>> {
  const phone = normalizePhoneNumber(rawPhone);
  if (!phone) return fail("invalid_request", { issues: [INVALID_PHONE] });
  // After the number is known valid, so a malformed one costs no SMS budget.
  const admitted = await admitSubject(context, "send_phone_code", { phone, userId: user.id });
  if (!admitted.ok) return admitted;
  // Refused before anything is stored: this deployment cannot text a code at all.
  if (context.sms.provider === "none") return fail("sms_unavailable", { reason: "SMS_PROVIDER is none" });
  const stored = await storePhoneNumber(context.db, user.id, phone, context.now());
  if (!stored) return refusedPhoneChange(context, user.id);
  const issued = await issueOneTimeCode(context, { userId: user.id, purpose: "verify_phone", target: phone });
  const sent = await sendSmsNow(context, phone, {
    kind: "verify_phone",
    code: issued.code,
    expiresInMinutes: issued.expiresInMinutes,
  });
  return sent.ok ? succeed({ requestId: issued.requestId, phone }) : sent;
}

/**
 * Why a phone write matched no row: SMS sign-in holds the number (the UPDATE's guard), or the user
 * is gone. Read only on that path.
 */
export async function refusedPhoneChange(context: ServiceContext, userId: string): Promise<Result<never>> {
  const current = await findUserById(context.db, userId);
  return current?.smsMfaEnabled ? fail("sms_mfa_enabled") : fail("user_not_found");
}

/**
 * Confirms the caller's current number with the code sent to it. A code of another account, or one
 * sent to a number the account no longer has, is dead here (code_expired) and its attempts untouched.
 */
export async function confirmPhoneNumber(
  context: ServiceContext,
  { user }: Principal,
  input: { requestId: string; code: string },
): Promise<Result<User>> {
  if (!user.phone) return fail("code_expired", { reason: "no phone number to confirm" });
  const owner = { userId: user.id, target: user.phone };
  const redeemed = await redeemOneTimeCode(context, input, ["verify_phone"], owner);
  if (!redeemed.ok) return redeemed;
  const verified = await markPhoneVerified(context.db, user.id, user.phone, context.now());
  return verified
    ? succeed(toUser(verified))
    : fail("code_expired", { reason: "number changed since the code was sent" });
}
