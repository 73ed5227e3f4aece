// Failed-password counters in D1: one row per account ("account:<user id>") once an identifier names
// one, else per identifier hash. Each attempt is admitted or refused by one INSERT … ON CONFLICT DO
// UPDATE … RETURNING, so parallel attempts can neither lose a count nor slip past a lock between a
// read and a write. Login and every password re-check of a signed-in caller share the account's row.

import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { loginFailures, users } from "./schema";
import { selectUserWithTotpState, type UserKey, type UserWithTotpState } from "./user-store";

/** The counter key of an account: every identifier of it, and every password re-check, share it. */
export const accountFailureKey = (userId: string) => `account:${userId}`;

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
  /** The key when the identifier names no account (a keyed hash of it); an account's own key otherwise. */
  identifierHash: string;
  now: number;
  policy: LockPolicy;
}

/** What an admitted attempt's counter says after it (`key`: the row it was counted in); undefined when locked. */
export type CountedAttempt = { key: string; failures: number; lockedUntil: number | null } | undefined;

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
  if (!account)
    return { counted: await attemptAdmission(db, sql`${attempt.identifierHash}`, attempt).get(), found: undefined };
  // The row is the account's when the identifier names one (so its email and username share one
  // lock), the identifier's own otherwise; decided inside the statement, with no read before it.
  const accountId = db
    .select({ key: sql`'account:' || ${users.id}` })
    .from(users)
    .where("email" in account ? eq(users.email, account.email) : eq(users.username, account.username));
  const key = sql`coalesce((${accountId}), ${attempt.identifierHash})`;
  const [counted, found] = await db.batch([attemptAdmission(db, key, attempt), selectUserWithTotpState(db, account)]);
  return { counted: counted[0], found: found[0] };
}

/** Counts one password re-check of a signed-in account in its login row; undefined when it is locked. */
export async function admitAccountAttempt(
  db: Database,
  userId: string,
  attempt: Pick<LoginAttempt, "now" | "policy">,
): Promise<CountedAttempt> {
  return attemptAdmission(db, sql`${accountFailureKey(userId)}`, attempt).get();
}

/**
 * The upsert that counts one attempt. The attempt that reaches the threshold sets the lock itself,
 * so however many attempts arrive at once, only `thresholdFailures` are admitted.
 */
function attemptAdmission(db: Database, key: SQL, attempt: Pick<LoginAttempt, "now" | "policy">) {
  const { now, policy } = attempt;
  const forgotten = sql`${loginFailures.updatedAt} <= ${now - policy.failureMemorySeconds}`;
  const next = sql`(case when ${forgotten} then 1 else ${loginFailures.failures} + 1 end)`;
  // SQLite has no pow(); a left shift doubles. The shift is capped so it can never overflow.
  const lockSeconds = sql`min(${policy.maxLockSeconds}, ${policy.baseLockSeconds} << min(${next} - ${policy.thresholdFailures}, 30))`;
  const firstLock = lockSecondsAfter(1, policy);
  return db
    .insert(loginFailures)
    .values({ identifierHash: key, failures: 1, lockedUntil: firstLock > 0 ? now + firstLock : null, updatedAt: now })
    .onConflictDoUpdate({
      target: loginFailures.identifierHash,
      set: {
        failures: next,
        lockedUntil: sql`case when ${next} >= ${policy.thresholdFailures} then ${now} + ${lockSeconds} else null end`,
        updatedAt: now,
      },
      setWhere: sql`${loginFailures.lockedUntil} is null or ${loginFailures.lockedUntil} <= ${now}`,
    })
    .returning({
      key: loginFailures.identifierHash,
      failures: loginFailures.failures,
      lockedUntil: loginFailures.lockedUntil,
    });
}

export async function deleteLoginFailures(db: Database, identifierHashes: string[]): Promise<void> {
  if (identifierHashes.length === 0) return;
  await loginFailuresDeletion(db, identifierHashes);
}

/** The delete of `deleteLoginFailures`, not yet run: for another store to commit in its own batch. */
export function loginFailuresDeletion(db: Database, identifierHashes: string[]): PendingWrite {
  return db.delete(loginFailures).where(inArray(loginFailures.identifierHash, identifierHashes));
}
