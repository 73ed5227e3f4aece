// TOTP (RFC 6238) as a second factor: enrolment, confirmation, removal, recovery-code renewal, and
// the factor an MFA challenge is finished with. Secrets are AES-GCM encrypted at rest and bound to
// their user; every accepted step, failure and lock is decided in D1 (src/storage/totp-store.ts).

import { renderSVG } from "uqr";
import { randomBytes } from "../crypto/random";
import { openSecret, sealSecret } from "../crypto/secret-box";
import { buildOtpauthUri, encodeBase32, findTotpStep } from "../crypto/totp";
import { type Failure, fail, type Result, succeed } from "../errors";
import {
  acceptTotpStep,
  deleteTotpFactor,
  findTotpFactor,
  recordTotpFailure,
  savePendingTotpFactor,
  type TotpState,
} from "../storage/totp-store";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { recordFactorChange } from "./factor-events";
import type { SecondFactor } from "./mfa-service";
import type { Principal } from "./principal";
import { reauthenticate } from "./reauthentication";
import { issueRecoveryCodes, redeemRecoveryCode } from "./recovery-codes";

/** 160 bits: RFC 4226 §4 R6 recommends it, and it is what authenticator apps expect. */
const TOTP_SECRET_BYTES = 20;
/** Wrong codes since the last accepted one before the factor locks; from then on each failure re-locks. */
export const TOTP_MAX_FAILED_ATTEMPTS = 5;
export const TOTP_LOCK_SECONDS = 900;

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/** The associated data that binds a sealed secret to its user. */
const secretBinding = (userId: string) => `totp:${userId}`;

/** Starts enrolment with a new secret (replacing an unconfirmed one); refused if TOTP is already on. */
export async function startTotpEnrolment(
  context: ServiceContext,
  principal: Principal,
): Promise<Result<TotpEnrolment>> {
  const { user } = principal;
  const secretBytes = randomBytes(TOTP_SECRET_BYTES);
  const saved = await savePendingTotpFactor(context.db, {
    userId: user.id,
    secretCiphertext: await sealSecret(context.totpKey, secretBytes, secretBinding(user.id)),
    now: context.now(),
  });
  if (!saved) return fail("totp_already_enabled", { reason: "enrolment while a confirmed factor exists" });
  const secret = encodeBase32(secretBytes);
  const otpauthUri = buildOtpauthUri(secret, context.mail.productName, user.email);
  return succeed({ secret, otpauthUri, qrSvg: renderSVG(otpauthUri, { ecc: "M", border: 2 }) });
}

/** Turns TOTP on with a first code from the app, and answers ten recovery codes, shown this once. */
export async function confirmTotp(
  context: ServiceContext,
  client: ClientInfo,
  principal: Principal,
  proof: { code: string; password: string | undefined },
  scope?: RequestScope,
): Promise<Result<{ recoveryCodes: string[] }>> {
  const { user } = principal;
  // Re-authentication first: with a stolen access token alone, an attacker could otherwise bind
  // their own authenticator and lock the owner out of their next login. A wrong password counts no
  // code attempt. An account without a password re-authenticates by a recent sign-in.
  const rechecked = await reauthenticate(context, client, principal, proof.password, "TOTP confirmation", scope);
  if (!rechecked.ok) return rechecked;
  const check = await checkTotpCode(context, user.id, proof.code, "pending");
  if (check === "absent") {
    const factor = await findTotpFactor(context.db, user.id);
    return factor?.confirmedAt ? fail("totp_already_enabled") : fail("totp_not_enabled", { reason: "no enrolment" });
  }
  if (check !== "accepted") return fail(...failureFor(check));
  const recoveryCodes = await issueRecoveryCodes(context, user.id);
  recordFactorChange(context, scope, user.id, "factor_added", "totp");
  return succeed({ recoveryCodes });
}

export type SecondFactorProof = { code: string } | { recoveryCode: string };

/**
 * Removes TOTP and its recovery codes; needs the password (or, without one, a recent sign-in) and a
 * current code (or a recovery code).
 */
export async function disableTotp(
  context: ServiceContext,
  client: ClientInfo,
  principal: Principal,
  proof: { password: string | undefined } & SecondFactorProof,
  scope?: RequestScope,
): Promise<Result<void>> {
  const { user } = principal;
  const rechecked = await reauthenticate(context, client, principal, proof.password, "TOTP removal", scope);
  if (!rechecked.ok) return rechecked;
  const proven = await proveSecondFactor(context, user.id, proof);
  if (!proven.ok) return proven;
  await deleteTotpFactor(context.db, user.id);
  recordFactorChange(context, scope, user.id, "factor_removed", "totp");
  return succeed(undefined);
}

/**
 * New recovery codes; the old ones stop working. Needs a current TOTP code: the codes back up
 * that factor, so only someone holding it may mint more (a password alone, or a stolen access
 * token, is not enough).
 */
export async function regenerateRecoveryCodes(
  context: ServiceContext,
  { user }: Principal,
  code: string,
  scope?: RequestScope,
): Promise<Result<{ recoveryCodes: string[] }>> {
  const proven = await proveSecondFactor(context, user.id, { code });
  if (!proven.ok) return proven;
  const recoveryCodes = await issueRecoveryCodes(context, user.id);
  // The old set is gone and a new one added: one event, the factor kind saying which.
  recordFactorChange(context, scope, user.id, "factor_added", "recovery_codes", { replaced: true });
  return succeed({ recoveryCodes });
}

/** A TOTP code as a second factor for an MFA challenge (RFC 8176 "otp"). */
export function totpFactor(code: string): SecondFactor {
  return {
    method: "totp",
    amr: ["otp"],
    verify: async (context, userId) => {
      const check = await checkTotpCode(context, userId, code, "confirmed");
      if (check === "accepted") return succeed(undefined);
      return fail(...failureFor(check === "absent" ? "wrong" : check));
    },
  };
}

async function proveSecondFactor(
  context: ServiceContext,
  userId: string,
  proof: SecondFactorProof,
): Promise<Result<void>> {
  const factor = await findTotpFactor(context.db, userId);
  if (!factor?.confirmedAt) return fail("totp_not_enabled");
  if ("recoveryCode" in proof) {
    const redeemed = await redeemRecoveryCode(context, userId, proof.recoveryCode);
    return redeemed ? succeed(undefined) : fail("invalid_mfa_code", { reason: "recovery code unknown or used" });
  }
  const check = await checkTotpCode(context, userId, proof.code, "confirmed");
  return check === "accepted" ? succeed(undefined) : fail(...failureFor(check === "absent" ? "wrong" : check));
}

type TotpCheck = "accepted" | "wrong" | "locked" | "absent";

function failureFor(check: "wrong" | "locked"): [Failure["code"], Omit<Failure, "code">] {
  return check === "locked"
    ? ["mfa_locked", { reason: "TOTP factor locked after repeated failures" }]
    : ["invalid_mfa_code", { reason: "TOTP code wrong or replayed" }];
}

/**
 * Judges a code for the user's factor in `state`. A locked factor is refused before the code is
 * looked at (so guesses during a lock teach nothing). A matching step is accepted only if it is
 * later than the last accepted one — one UPDATE decides, so a replay, even in parallel, is refused.
 * Every refused code is counted toward the lock.
 */
async function checkTotpCode(
  context: ServiceContext,
  userId: string,
  code: string,
  state: TotpState,
): Promise<TotpCheck> {
  const now = context.now();
  const factor = await findTotpFactor(context.db, userId);
  if (!factor || (factor.confirmedAt !== null) !== (state === "confirmed")) return "absent";
  if (factor.lockedUntil !== null && factor.lockedUntil > now) return "locked";
  const secret = await openSecret(context.totpKey, factor.secretCiphertext, secretBinding(userId));
  // Only a different TOTP_ENCRYPTION_KEY or an altered row gets here: an operator's problem, not a wrong code.
  if (!secret) throw new Error("TOTP secret does not decrypt for its user");
  const step = await findTotpStep(secret, code.replace(/\s/g, ""), now);
  if (step !== null && (await acceptTotpStep(context.db, { userId, state, step, now }))) return "accepted";
  const after = await recordTotpFailure(context.db, {
    userId,
    now,
    maxFailures: TOTP_MAX_FAILED_ATTEMPTS,
    lockSeconds: TOTP_LOCK_SECONDS,
  });
  return !after || (after.lockedUntil ?? 0) > now ? "locked" : "wrong";
}
