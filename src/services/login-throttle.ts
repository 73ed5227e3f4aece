// The password lock: after 10 consecutive failures an account (or an identifier that names none)
// answers the same 401 as a wrong password for a cooling-off period that doubles with each further
// failure. Login and every password re-check of a signed-in caller count in the same row.
//
// Why it looks like this:
// - Counted per account once the identifier names one (its email and username share one count), and
//   for unknown identifiers per identifier, keyed by HMAC(OTP_SECRET, "login", normalized
//   identifier), locking exactly alike, so a lock says nothing about whether an account exists. D1
//   never holds an identifier itself.
// - Decided in D1 (not the per-location rate limiter) so the count holds across every location.
// - Checked before the password hash: a locked identifier costs one D1 round trip and no scrypt.
//   A locked answer is therefore faster than an unlocked one. That is intended: the lock is not an
//   account-existence oracle, because unknown identifiers lock identically, and a fast answer only
//   tells an attacker what the 10 failures they sent already told them.
// - Each attempt is counted when it is admitted (before hashing) and the count is cleared when the
//   password proves right, so parallel attempts cannot overrun the threshold and an attempt refused
//   by the lock is not counted (it tested nothing). Where the right password goes straight on to a
//   session or an MFA challenge, the clearing rides in that batch and commits exactly when it does;
//   where it opens neither (an unverified address) or a second hash comes first (an upgrade), it is
//   cleared at once, as it always was.

import { hashOneTimeSecret } from "../crypto/one-time-code";
import type { PendingWrite } from "../storage/database";
import {
  accountFailureKey,
  admitAccountAttempt,
  admitLoginAttemptAndFindUser,
  deleteLoginFailures,
  type LockPolicy,
  loginFailuresDeletion,
} from "../storage/login-failure-store";
import type { UserRow } from "../storage/schema";
import type { UserKey } from "../storage/user-store";
import type { ServiceContext } from "./context";
import { normalizeEmail, normalizeUsername } from "./identifiers";

export const LOGIN_LOCK_THRESHOLD_FAILURES = 10;
export const LOGIN_LOCK_BASE_SECONDS = 60;
export const LOGIN_LOCK_MAX_SECONDS = 3600;
/** Failures further apart than a day are not "consecutive": the count starts over. */
export const LOGIN_FAILURE_MEMORY_SECONDS = 86_400;

export const LOGIN_LOCK_POLICY: LockPolicy = {
  thresholdFailures: LOGIN_LOCK_THRESHOLD_FAILURES,
  baseLockSeconds: LOGIN_LOCK_BASE_SECONDS,
  maxLockSeconds: LOGIN_LOCK_MAX_SECONDS,
  failureMemorySeconds: LOGIN_FAILURE_MEMORY_SECONDS,
};

export type LoginIdentifier = { email: string } | { username: string };

/**
 * `email:<normalized>` or `username:<normalized>`. Input that does not normalize (it can match no
 * account) is trimmed and lower-cased instead, so it is counted and limited like any other.
 */
export function canonicalLoginIdentifier(identifier: LoginIdentifier): string {
  if ("email" in identifier) {
    return `email:${normalizeEmail(identifier.email) ?? identifier.email.trim().toLowerCase()}`;
  }
  return `username:${normalizeUsername(identifier.username) ?? identifier.username.trim().toLowerCase()}`;
}

function hashLoginIdentifier(context: ServiceContext, canonical: string): Promise<string> {
  return hashOneTimeSecret(context.otpKey, "login", canonical);
}

export type LoginAdmission =
  | {
      admitted: true;
      /** The row the attempt was counted in: the account's, or the unknown identifier's. */
      failureKey: string;
      /** The account the identifier names, if any (read in the admission's round trip). */
      user: UserRow | undefined;
      hasConfirmedTotp: boolean;
      /** The lock this attempt engages if its password proves wrong (seconds; 0: none). */
      lockSecondsIfWrong: number;
    }
  | { admitted: false };

/**
 * Call before any password work; a refused attempt must answer exactly like a wrong password. The
 * account the identifier names (with its TOTP state, for the second-factor decision) is read in the
 * same D1 batch as the count, so a login makes one round trip before its hash, not three.
 */
export async function admitLogin(context: ServiceContext, identifier: LoginIdentifier): Promise<LoginAdmission> {
  const identifierHash = await hashLoginIdentifier(context, canonicalLoginIdentifier(identifier));
  const attempt = { identifierHash, now: context.now(), policy: LOGIN_LOCK_POLICY };
  const { counted, found } = await admitLoginAttemptAndFindUser(context.db, attempt, userKeyOf(identifier));
  if (!counted) return { admitted: false };
  return {
    admitted: true,
    failureKey: counted.key,
    user: found?.user,
    hasConfirmedTotp: found?.hasConfirmedTotp ?? false,
    lockSecondsIfWrong: counted.lockedUntil === null ? 0 : Math.max(0, counted.lockedUntil - attempt.now),
  };
}

/**
 * Counts a password re-check of a signed-in account in the same row as its logins, before any
 * hashing; false when the account is locked (answer as for a wrong password).
 */
export async function admitPasswordRecheck(context: ServiceContext, userId: string): Promise<boolean> {
  return (await countPasswordRecheck(context, userId)).admitted;
}

/** `admitPasswordRecheck`, also saying what lock this re-check engages if its password proves wrong. */
export async function countPasswordRecheck(
  context: ServiceContext,
  userId: string,
): Promise<{ admitted: false } | { admitted: true; lockSecondsIfWrong: number }> {
  const now = context.now();
  const counted = await admitAccountAttempt(context.db, userId, { now, policy: LOGIN_LOCK_POLICY });
  if (!counted) return { admitted: false };
  return {
    admitted: true,
    lockSecondsIfWrong: counted.lockedUntil === null ? 0 : Math.max(0, counted.lockedUntil - now),
  };
}

/** The normalized key to look the account up by; null when the input can name no account. */
function userKeyOf(identifier: LoginIdentifier): UserKey | null {
  if ("email" in identifier) {
    const email = normalizeEmail(identifier.email);
    return email ? { email } : null;
  }
  const username = normalizeUsername(identifier.username);
  return username ? { username } : null;
}

/** The password was right: the failures before it were not an attack that succeeded, forget them. */
export async function clearLoginFailures(context: ServiceContext, failureKey: string): Promise<void> {
  await deleteLoginFailures(context.db, [failureKey]);
}

/** `clearLoginFailures` as a write not yet run, to commit in the batch that opens the session or challenge. */
export function clearingLoginFailures(context: ServiceContext, failureKey: string): PendingWrite {
  return loginFailuresDeletion(context.db, [failureKey]);
}

/**
 * After a password reset: lift the account's lock, and any count its identifiers gathered before the
 * account held them (counted per identifier while they named no account).
 */
export async function clearLoginFailuresForUser(
  context: ServiceContext,
  user: { id: string; email: string; username: string | null },
): Promise<void> {
  const identifiers: LoginIdentifier[] = [{ email: user.email }];
  if (user.username) identifiers.push({ username: user.username });
  const hashes = await Promise.all(
    identifiers.map((identifier) => hashLoginIdentifier(context, canonicalLoginIdentifier(identifier))),
  );
  await deleteLoginFailures(context.db, [accountFailureKey(user.id), ...hashes]);
}
