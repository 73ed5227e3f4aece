// MFA challenges in D1: a login that passed its first factor and waits for a second. Each attempt
// is counted by one UPDATE … RETURNING before the code is judged, and completion is another, so a
// challenge admits a bounded number of guesses, however parallel, and finishes at most once.

import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { type MfaChallengeRow, mfaChallenges } from "./schema";

export type NewMfaChallenge = typeof mfaChallenges.$inferInsert;

/** The challenge, with `alongside` (a caller's own writes), in one atomic batch. */
export async function insertMfaChallenge(
  db: Database,
  challenge: NewMfaChallenge,
  alongside: PendingWrite[] = [],
): Promise<void> {
  await db.batch([db.insert(mfaChallenges).values(challenge), ...alongside]);
}

const open = (now: number) => and(isNull(mfaChallenges.consumedAt), gt(mfaChallenges.expiresAt, now));

/** The open challenge a token names, without counting anything (for sending an SMS code, say). */
export async function findOpenMfaChallenge(
  db: Database,
  tokenHash: string,
  now: number,
): Promise<MfaChallengeRow | undefined> {
  return db
    .select()
    .from(mfaChallenges)
    .where(and(eq(mfaChallenges.tokenHash, tokenHash), open(now)))
    .get();
}

/** Counts one attempt on an open challenge under its limit; undefined when it is used, expired or spent. */
export async function countMfaChallengeAttempt(
  db: Database,
  attempt: { tokenHash: string; now: number; maxAttempts: number },
): Promise<MfaChallengeRow | undefined> {
  return db
    .update(mfaChallenges)
    .set({ attempts: sql`${mfaChallenges.attempts} + 1` })
    .where(
      and(
        eq(mfaChallenges.tokenHash, attempt.tokenHash),
        open(attempt.now),
        lt(mfaChallenges.attempts, attempt.maxAttempts),
      ),
    )
    .returning()
    .get();
}

/** Marks the challenge finished, recording the methods used; false if it was already used or expired. */
export async function consumeMfaChallenge(
  db: Database,
  completion: { id: string; amr: string; now: number },
): Promise<boolean> {
  const row = await db
    .update(mfaChallenges)
    .set({ consumedAt: completion.now, amr: completion.amr })
    .where(and(eq(mfaChallenges.id, completion.id), open(completion.now)))
    .returning({ id: mfaChallenges.id })
    .get();
  return row !== undefined;
}
