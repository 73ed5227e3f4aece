// Recovery codes: ten per user, shown once, stored as HMAC-SHA256(OTP_SECRET, user ∥ code), each
// working once. They back up the TOTP factor and finish an MFA challenge like a TOTP code.

import { hashOneTimeSecret } from "../crypto/one-time-code";
import { generateId } from "../crypto/random";
import { generateRecoveryCode, normalizeRecoveryCode } from "../crypto/recovery-code";
import { fail, succeed } from "../errors";
import { consumeRecoveryCode, replaceRecoveryCodes } from "../storage/recovery-code-store";
import type { ServiceContext } from "./context";
import type { SecondFactor } from "./mfa-service";

export const RECOVERY_CODE_COUNT = 10;

/** Keyed by user as well: a hash copied to another user's row matches nothing. */
const hashRecoveryCode = (context: ServiceContext, userId: string, normalized: string) =>
  hashOneTimeSecret(context.otpKey, `recovery_code:${userId}`, normalized);

/** Replaces every recovery code of the user with ten new ones (one batch) and returns them once. */
export async function issueRecoveryCodes(context: ServiceContext, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const rows = await Promise.all(
    codes.map(async (code) => ({
      id: generateId(),
      codeHash: await hashRecoveryCode(context, userId, normalizeRecoveryCode(code) ?? code),
    })),
  );
  await replaceRecoveryCodes(context.db, { userId, codes: rows, now: context.now() });
  return codes;
}

/** Consumes one unused code of the user; false when it is malformed, unknown, another user's or used. */
export async function redeemRecoveryCode(context: ServiceContext, userId: string, input: string): Promise<boolean> {
  const normalized = normalizeRecoveryCode(input);
  if (!normalized) return false;
  const codeHash = await hashRecoveryCode(context, userId, normalized);
  return consumeRecoveryCode(context.db, { userId, codeHash, now: context.now() });
}

/**
 * A recovery code as a second factor. RFC 8176 has no value for it: "otp" (it is a one-time
 * password) keeps relying parties that ask for "otp" working, and the private value "rc" records
 * in the session that a backup code, not the authenticator, was used.
 */
export function recoveryCodeFactor(input: string): SecondFactor {
  return {
    method: "recovery_code",
    amr: ["otp", "rc"],
    verify: async (context, userId) =>
      (await redeemRecoveryCode(context, userId, input))
        ? succeed(undefined)
        : fail("invalid_mfa_code", { reason: "recovery code unknown or used" }),
  };
}
