// Failed-login counters in D1, one row per identifier hash. Each login attempt is admitted or
// refused by one INSERT … ON CONFLICT DO UPDATE … RETURNING, so parallel attempts can neither lose a
// count nor slip past a lock between a read and a write.

import { inArray, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { loginFailures } from "./schema";
import { selectUserWithTotpState, type UserKey, type UserWithTotpState } from "./user-store";

export interface LockPolicy {
  /** Failures after which each further one locks the identifier. */
  thresholdFailures: number;
  /** The first lock's length; each further failure doubles it. */
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** A counter whose last failure is older than this starts again from zero. */
  failureMemorySeconds: number;
}

/** Lock length after `failures` failures: 0 below the threshold, then base · 2^(failures − threshold), capped. */
export function lockSecondsAfter(failures: number, policy: LockPolicy): number {
  if (failures < policy.thresholdFailures) return 0;
  const doublings = Math.min(failures - policy.thresholdFailures, 30);
  return Math.min(policy.maxLockSeconds, policy.baseLockSeconds * 2 ** doublings);
}

export interface LoginAttempt {
  identifierHash: string;
  now: number;
  policy: LockPolicy;
}

/** What an admitted attempt's counter says after it; undefined when a lock refused the attempt. */
export type CountedAttempt = { failures: number; lockedUntil: number | null } | undefined;

/**
 * Counts one attempt unless the identifier is locked and, in the same batch (one D1 round trip, one
 * transaction), reads the user `account` names with whether they have a confirmed TOTP factor: login
 * needs both before the password hash, and the read does not depend on the count. `counted` is
 * undefined when a lock is in force (then nothing is written, and the caller must ignore the user).
 */
export async function admitLoginAttemptAndFindUser(
  db: Database,
  attempt: LoginAttempt,
  account: UserKey | null,
): Promise<{ counted: CountedAttempt; found: UserWithTotpState | undefined }> {
  // An identifier that does not normalize can name no account: only the count is needed.
  if (!account) return { counted: await loginAttemptAdmission(db, attempt).get(), found: undefined };
  const [counted, found] = await db.batch([loginAttemptAdmission(db, attempt), selectUserWithTotpState(db, account)]);
  return { counted: counted[0], found: found[0] };
}

/**
 * The upsert that counts one attempt. The attempt that reaches the threshold sets the lock itself,
 * so however many attempts arrive at once, only `thresholdFailures` are admitted.
 */
function loginAttemptAdmission(db: Database, attempt: LoginAttempt) {
  const { identifierHash, now, policy } = attempt;
  const forgotten = sql`${loginFailures.updatedAt} <= ${now - policy.failureMemorySeconds}`;
  const next = sql`(case when ${forgotten} then 1 else ${loginFailures.failures} + 1 end)`;
  // SQLite has no pow(); a left shift doubles. The shift is capped so it can never overflow.
  const lockSeconds = sql`min(${policy.maxLockSeconds}, ${policy.baseLockSeconds} << min(${next} - ${policy.thresholdFailures}, 30))`;
  const firstLock = lockSecondsAfter(1, policy);
  return db
    .insert(loginFailures)
    .values({ identifierHash, failures: 1, lockedUntil: firstLock > 0 ? now + firstLock : null, updatedAt: now })
    .onConflictDoUpdate({
      target: loginFailures.identifierHash,
      set: {
        failures: next,
        lockedUntil: sql`case when ${next} >= ${policy.thresholdFailures} then ${now} + ${lockSeconds} else null end`,
        updatedAt: now,
      },
      setWhere: sql`${loginFailures.lockedUntil} is null or ${loginFailures.lockedUntil} <= ${now}`,
    })
    .returning({ failures: loginFailures.failures, lockedUntil: loginFailures.lockedUntil });
}

export async function deleteLoginFailures(db: Database, identifierHashes: string[]): Promise<void> {
  if (identifierHashes.length === 0) return;
  await loginFailuresDeletion(db, identifierHashes);
}

/** The delete of `deleteLoginFailures`, not yet run: for another store to commit in its own batch. */
export function loginFailuresDeletion(db: Database, identifierHashes: string[]): PendingWrite {
  return db.delete(loginFailures).where(inArray(loginFailures.identifierHash, identifierHashes));
}
