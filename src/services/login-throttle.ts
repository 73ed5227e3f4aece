// The per-identifier login lock: after 10 consecutive failures an email or username answers the
// same 401 as a wrong password for a cooling-off period that doubles with each further failure.
//
// Why it looks like this:
// - Counted per identifier, keyed by HMAC(OTP_SECRET, "login", normalized identifier), for unknown
//   identifiers exactly as for known ones, so a lock says nothing about whether an account exists.
//   D1 never holds the identifier itself.
// - Decided in D1 (not the per-location rate limiter) so the count holds across every location.
// - Checked before the password hash: a locked identifier costs one D1 statement and no scrypt.
//   A locked answer is therefore faster than an unlocked one. That is intended: the lock is not an
//   account-existence oracle, because unknown identifiers lock identically, and a fast answer only
//   tells an attacker what the 10 failures they sent already told them.
// - Each attempt is counted when it is admitted (before hashing) and the count is cleared when the
//   password proves right, so parallel attempts cannot overrun the threshold and an attempt refused
//   by the lock is not counted (it tested nothing).

import { hashOneTimeSecret } from "../crypto/one-time-code";
import { admitLoginAttempt, deleteLoginFailures, type LockPolicy } from "../storage/login-failure-store";
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

export type LoginAdmission = { admitted: true; identifierHash: string } | { admitted: false };

/** Call before any password work; a refused attempt must answer exactly like a wrong password. */
export async function admitLogin(context: ServiceContext, identifier: LoginIdentifier): Promise<LoginAdmission> {
  const identifierHash = await hashLoginIdentifier(context, canonicalLoginIdentifier(identifier));
  const counted = await admitLoginAttempt(context.db, {
    identifierHash,
    now: context.now(),
    policy: LOGIN_LOCK_POLICY,
  });
  return counted ? { admitted: true, identifierHash } : { admitted: false };
}

/** The password was right: the failures before it were not an attack that succeeded, forget them. */
export async function clearLoginFailures(context: ServiceContext, identifierHash: string): Promise<void> {
  await deleteLoginFailures(context.db, [identifierHash]);
}

/** After a password reset: lift the lock on every identifier of the account. */
export async function clearLoginFailuresForUser(
  context: ServiceContext,
  user: { email: string; username: string | null },
): Promise<void> {
  const identifiers: LoginIdentifier[] = [{ email: user.email }];
  if (user.username) identifiers.push({ username: user.username });
  const hashes = await Promise.all(
    identifiers.map((identifier) => hashLoginIdentifier(context, canonicalLoginIdentifier(identifier))),
  );
  await deleteLoginFailures(context.db, hashes);
}
