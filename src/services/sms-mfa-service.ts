// SMS as a second factor: turning it on and off, texting a code for an open MFA challenge, and the
// SecondFactor that judges that code for completeMfaChallenge. Codes are one-time codes of purpose
// mfa_sms (keyed hashes, OTP_TTL_SECONDS, attempts and consumption decided in D1), bound to the
// challenge's user and the number they were texted to.

import { type Failure, fail, type Result, succeed } from "../errors";
import { findLiveCodeId } from "../storage/one-time-code-store";
import { setSmsMfaEnabled } from "../storage/phone-store";
import type { UserRow } from "../storage/schema";
import { findUserById } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import { type ClientInfo, type RequestScope, type ServiceContext, sessionWindow } from "./context";
import { recordFactorChange } from "./factor-events";
import { parseStringList } from "./json-list";
import { findOpenMfaChallenge, type SecondFactor } from "./mfa-service";
import { isDisabled } from "./model";
import { issueOneTimeCode, redeemOneTimeCode } from "./one-time-codes";
import type { Principal } from "./principal";
import { recheckPassword } from "./reauthentication";
import { sendSmsNow } from "./sms-sending";

/** Where a login's SMS code goes: the challenge's user and their verified number. */
export interface SmsMfaTarget {
  userId: string;
  phone: string;
}

const canUseSms = (user: UserRow | undefined): user is UserRow & { phone: string } =>
  user !== undefined && !isDisabled(user) && user.smsMfaEnabled && user.phoneVerified && user.phone !== null;

/** Needs the password; turning it on also needs a verified number (else phone_not_verified). */
export async function changeSmsMfa(
  context: ServiceContext,
  client: ClientInfo,
  { user }: Principal,
  input: { password: string; enabled: boolean },
  scope?: RequestScope,
): Promise<Result<void>> {
  const rechecked = await recheckPassword(context, client, user.id, input.password, "SMS MFA change", scope);
  if (!rechecked.ok) return rechecked;
  const changed = await setSmsMfaEnabled(context.db, user.id, input.enabled, context.now());
  if (!changed) return fail("phone_not_verified", { reason: "SMS MFA needs a verified number" });
  // Only a real change is an event: turning off what was off changes no factor.
  if (rechecked.value.smsMfaEnabled !== input.enabled) {
    recordFactorChange(context, scope, user.id, input.enabled ? "factor_added" : "factor_removed", "sms");
  }
  return succeed(undefined);
}

/** The number an open challenge's code goes to; counts no attempt on the challenge. */
export async function findSmsMfaTarget(context: ServiceContext, mfaToken: string): Promise<Result<SmsMfaTarget>> {
  const challenge = await findOpenMfaChallenge(context, mfaToken);
  if (!challenge) return fail("invalid_mfa_token", { reason: "unknown, used or expired challenge" });
  const user = await findUserById(context.db, challenge.userId);
  if (!parseStringList(challenge.methods).includes("sms") || !canUseSms(user)) {
    return fail("invalid_request", { issues: [{ field: "mfaToken", message: "SMS is not offered for this login" }] });
  }
  return succeed({ userId: user.id, phone: user.phone });
}

/** Texts a new code (replacing any earlier one) to the challenge's number; the caller waits for it. */
export async function sendSmsMfaCode(context: ServiceContext, target: SmsMfaTarget): Promise<Result<void>> {
  const admitted = await admitSubject(context, "send_sms_mfa_code", target);
  if (!admitted.ok) return admitted;
  const issued = await issueOneTimeCode(context, { userId: target.userId, purpose: "mfa_sms", target: target.phone });
  return sendSmsNow(context, target.phone, {
    kind: "mfa_sms",
    code: issued.code,
    expiresInMinutes: issued.expiresInMinutes,
  });
}

/** The texted code as a second factor: the user's one live mfa_sms code, for their current number. */
export function smsFactor(code: string): SecondFactor {
  return {
    method: "sms",
    // RFC 8176 §2: "sms", confirmation by a code sent by SMS.
    amr: ["sms"],
    async verify(context, userId) {
      const user = await findUserById(context.db, userId);
      if (!canUseSms(user)) return fail("invalid_mfa_code", { reason: "SMS sign-in is off or the number changed" });
      const requestId = await findLiveCodeId(context.db, userId, "mfa_sms", sessionWindow(context));
      if (!requestId) return fail("invalid_mfa_code", { reason: "no live SMS code: send one first" });
      const owner = { userId, target: user.phone };
      const redeemed = await redeemOneTimeCode(context, { requestId, code }, ["mfa_sms"], owner);
      if (redeemed.ok) return succeed(undefined);
      if (redeemed.error.code === "invalid_request") return redeemed;
      // The account's SMS guesses are spent (5, then 15 minutes): locked like TOTP, whatever code is sent.
      if (redeemed.error.code === "rate_limited") {
        return fail("mfa_locked", {
          reason: "SMS sign-in locked after repeated failures",
          ...retryAfterOf(redeemed.error),
        });
      }
      return fail("invalid_mfa_code", { reason: `SMS code refused: ${redeemed.error.reason ?? redeemed.error.code}` });
    },
  };
}

const retryAfterOf = (failure: Failure) =>
  failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds };
