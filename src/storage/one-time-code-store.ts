// One-time codes in D1. Issuing replaces any live code of the same user and purpose in one batch;
// each guess is one UPDATE … RETURNING that counts the attempt and consumes on a match, so a code
// is accepted at most once and parallel guesses never exceed the attempt limit.

import { and, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "./database";
import { type OneTimeCodeRow, oneTimeCodes } from "./schema";

export type CodePurpose = OneTimeCodeRow["purpose"];
export type NewOneTimeCode = typeof oneTimeCodes.$inferInsert;
/** The account a code was issued to and where it was sent. */
export type CodeOwner = { userId: string; target: string };

export async function insertReplacingOlderCodes(db: Database, code: NewOneTimeCode): Promise<void> {
  await db.batch([
    db
      .update(oneTimeCodes)
      .set({ supersededAt: code.createdAt })
      .where(
        and(
          eq(oneTimeCodes.userId, code.userId),
          eq(oneTimeCodes.purpose, code.purpose),
          isNull(oneTimeCodes.consumedAt),
          isNull(oneTimeCodes.supersededAt),
        ),
      ),
    db.insert(oneTimeCodes).values(code),
  ]);
}

const usable = (now: number) =>
  and(isNull(oneTimeCodes.consumedAt), isNull(oneTimeCodes.supersededAt), gt(oneTimeCodes.expiresAt, now));

/** The id of the live code of a user and purpose (issuing supersedes older ones); counts nothing. */
export async function findLiveCodeId(
  db: Database,
  userId: string,
  purpose: CodePurpose,
  now: number,
): Promise<string | undefined> {
  const row = await db
    .select({ id: oneTimeCodes.id })
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose), usable(now)))
    .orderBy(desc(oneTimeCodes.createdAt))
    .get();
  return row?.id;
}

export type GuessOutcome = { result: "accepted"; code: OneTimeCodeRow } | { result: "wrong" } | { result: "dead" };

/** Counts one attempt and consumes the code if the hash matches, in one statement. */
export async function guessCode(
  db: Database,
  guess: {
    id: string;
    purposes: CodePurpose[];
    codeHash: string;
    maxAttempts: number;
    now: number;
    /** When set, a code of another user or sent to another target is dead to this guess (not counted). */
    owner?: CodeOwner;
  },
): Promise<GuessOutcome> {
  const row = await db
    .update(oneTimeCodes)
    .set({
      attempts: sql`${oneTimeCodes.attempts} + 1`,
      consumedAt: sql`case when ${oneTimeCodes.codeHash} = ${guess.codeHash} then ${guess.now} else null end`,
    })
    .where(
      and(
        eq(oneTimeCodes.id, guess.id),
        inArray(oneTimeCodes.purpose, guess.purposes),
        usable(guess.now),
        lt(oneTimeCodes.attempts, guess.maxAttempts),
        guess.owner ? eq(oneTimeCodes.userId, guess.owner.userId) : undefined,
        guess.owner ? eq(oneTimeCodes.target, guess.owner.target) : undefined,
      ),
    )
    .returning()
    .get();
  if (!row) return { result: "dead" };
  return row.consumedAt === null ? { result: "wrong" } : { result: "accepted", code: row };
}

/** Consumes the code a mail link names; link tokens carry 128 bits, so no attempt counting is needed. */
export async function consumeLink(
  db: Database,
  link: { linkHash: string; now: number; purposes: CodePurpose[] },
): Promise<OneTimeCodeRow | undefined> {
  return db
    .update(oneTimeCodes)
    .set({ consumedAt: link.now })
    .where(
      and(eq(oneTimeCodes.linkHash, link.linkHash), inArray(oneTimeCodes.purpose, link.purposes), usable(link.now)),
    )
    .returning()
    .get();
}
