// TOTP factors in D1, one row per user. Accepting a code, counting a failure and locking are each
// one UPDATE … RETURNING, so a time step is accepted at most once however many copies of a code
// arrive in parallel, in whatever location.

import { and, eq, exists, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "./database";
import { recoveryCodes, type TotpFactorRow, totpFactors, users } from "./schema";

export type TotpState = "pending" | "confirmed";

export async function findTotpFactor(db: Database, userId: string): Promise<TotpFactorRow | undefined> {
  return db.select().from(totpFactors).where(eq(totpFactors.userId, userId)).get();
}

export async function hasConfirmedTotp(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .select({ userId: totpFactors.userId })
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
    .get();
  return row !== undefined;
}

/**
 * Whether the row's user has a confirmed factor, as a column of a select from users, so a sign-in
 * reads it with the user. A builder, not raw SQL: drizzle then qualifies the correlated "users"."id".
 */
export function confirmedTotpOfUser(db: Database) {
  const confirmed = db
    .select({ one: sql`1` })
    .from(totpFactors)
    .where(and(eq(totpFactors.userId, users.id), isNotNull(totpFactors.confirmedAt)));
  return exists(confirmed).mapWith(Boolean).as("has_confirmed_totp");
}

/**
 * Starts (or restarts) an enrolment with a new secret. A confirmed factor is never overwritten:
 * the conflict update is conditional, and false comes back instead.
 */
export async function savePendingTotpFactor(
  db: Database,
  factor: { userId: string; secretCiphertext: string; now: number },
): Promise<boolean> {
  const fresh = { secretCiphertext: factor.secretCiphertext, createdAt: factor.now };
  const row = await db
    .insert(totpFactors)
    .values({ userId: factor.userId, ...fresh })
    .onConflictDoUpdate({
      target: totpFactors.userId,
      set: { ...fresh, lastUsedStep: null, failedAttempts: 0, lockedUntil: null },
      setWhere: isNull(totpFactors.confirmedAt),
    })
    .returning({ userId: totpFactors.userId })
    .get();
  return row !== undefined;
}

const stateIs = (state: TotpState) =>
  state === "pending" ? isNull(totpFactors.confirmedAt) : isNotNull(totpFactors.confirmedAt);
const unlocked = (now: number) => or(isNull(totpFactors.lockedUntil), lte(totpFactors.lockedUntil, now));

/**
 * Accepts the code of `step`: only if the step is later than the last accepted one (replay) and
 * the factor is not locked. Confirms a pending factor. Undefined when refused.
 */
export async function acceptTotpStep(
  db: Database,
  attempt: { userId: string; state: TotpState; step: number; now: number },
): Promise<TotpFactorRow | undefined> {
  return db
    .update(totpFactors)
    .set({
      lastUsedStep: attempt.step,
      failedAttempts: 0,
      confirmedAt: sql`coalesce(${totpFactors.confirmedAt}, ${attempt.now})`,
    })
    .where(
      and(
        eq(totpFactors.userId, attempt.userId),
        stateIs(attempt.state),
        or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, attempt.step)),
        unlocked(attempt.now),
      ),
    )
    .returning()
    .get();
}

/**
 * Counts one refused code. From the `maxFailures`-th failure since the last accepted code on,
 * each failure locks the factor for `lockSeconds` (the count is kept, so after a lock every
 * further wrong code locks again). A locked factor counts nothing more. Returns the row after it.
 */
export async function recordTotpFailure(
  db: Database,
  failure: { userId: string; now: number; maxFailures: number; lockSeconds: number },
): Promise<TotpFactorRow | undefined> {
  const failures = sql`${totpFactors.failedAttempts} + 1`;
  return db
    .update(totpFactors)
    .set({
      failedAttempts: failures,
      lockedUntil: sql`case when ${failures} >= ${failure.maxFailures} then ${failure.now + failure.lockSeconds} else ${totpFactors.lockedUntil} end`,
    })
    .where(and(eq(totpFactors.userId, failure.userId), unlocked(failure.now)))
    .returning()
    .get();
}

/** Removes the factor and its recovery codes in one batch; false when there was no factor. */
export async function deleteTotpFactor(db: Database, userId: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.delete(totpFactors).where(eq(totpFactors.userId, userId)).returning({ userId: totpFactors.userId }),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
  ]);
  return deleted.length > 0;
}
