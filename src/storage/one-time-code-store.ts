// One-time codes in D1. Issuing replaces any live code of the same user and purpose in one batch;
// each guess is one batch that counts it against the account's budget for that purpose and, inside
// that budget, counts the code's own attempt and consumes it on a match. So a code is accepted at
// most once, parallel guesses never exceed either limit, and asking for new codes buys no guesses.

import { and, desc, eq, gt, inArray, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { codeFailures, type OneTimeCodeRow, oneTimeCodes, sessions, users } from "./schema";
import { liveSessionCondition, type SessionWindow } from "./session-store";

export type CodePurpose = OneTimeCodeRow["purpose"];
export type NewOneTimeCode = typeof oneTimeCodes.$inferInsert;
/** The account a code was issued to and where it was sent. */
export type CodeOwner = { userId: string; target: string };

/** Wrong guesses an account may make at codes of one purpose in a window, however many codes it asks for. */
export interface GuessBudget {
  maxGuesses: number;
  windowSeconds: number;
}

export async function insertReplacingOlderCodes(db: Database, code: NewOneTimeCode): Promise<void> {
  await db.batch([
    supersedingCodes(db, code.userId, [code.purpose], code.createdAt),
    db.insert(oneTimeCodes).values(code),
  ]);
}

/** Marks every live code of the user for `purposes` superseded: a write for the caller's own batch. */
export function supersedingCodes(db: Database, userId: string, purposes: CodePurpose[], now: number) {
  return db
    .update(oneTimeCodes)
    .set({ supersededAt: now })
    .where(
      and(
        eq(oneTimeCodes.userId, userId),
        inArray(oneTimeCodes.purpose, purposes),
        isNull(oneTimeCodes.consumedAt),
        isNull(oneTimeCodes.supersededAt),
      ),
    );
}

/**
 * Voids every pending email change of the user. Rides in the batch of each event after which a change
 * asked for earlier must not complete: password reset or change, ending every session, disabling.
 */
export function voidingPendingEmailChanges(db: Database, userId: string, now: number): PendingWrite {
  return supersedingCodes(db, userId, ["change_email"], now);
}

/**
 * Live: not consumed, not superseded, not expired; and an email change only while the session that
 * asked for it is live (its user enabled), so a thief's change ends with the thief's session.
 */
function usable(window: SessionWindow): SQL {
  const askingSessionLive = askingSessionIsLive(window);
  return and(
    isNull(oneTimeCodes.consumedAt),
    isNull(oneTimeCodes.supersededAt),
    gt(oneTimeCodes.expiresAt, window.now),
    or(ne(oneTimeCodes.purpose, "change_email"), askingSessionLive),
  ) as SQL;
}

function askingSessionIsLive(window: SessionWindow): SQL {
  return sql`exists (select 1 from ${sessions} inner join ${users} on ${users.id} = ${sessions.userId} where ${sessions.id} = ${oneTimeCodes.sessionId} and ${liveSessionCondition(window)} and ${users.disabledAt} is null)`;
}

/** The id of the live code of a user and purpose (issuing supersedes older ones); counts nothing. */
export async function findLiveCodeId(
  db: Database,
  userId: string,
  purpose: CodePurpose,
  window: SessionWindow,
): Promise<string | undefined> {
  const row = await db
    .select({ id: oneTimeCodes.id })
    .from(oneTimeCodes)
    .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose), usable(window)))
    .orderBy(desc(oneTimeCodes.createdAt))
    .get();
  return row?.id;
}

/**
 * The id of the newest live code of `purposes` of the enabled account at `email` (normalized), still
 * bound to that address; counts nothing. One query whether or not the address has an account, so a
 * caller redeeming by address and code does the same work for an unknown address.
 */
export async function findLiveCodeIdByEmail(
  db: Database,
  email: string,
  purposes: CodePurpose[],
  window: SessionWindow,
): Promise<string | undefined> {
  const row = await db
    .select({ id: oneTimeCodes.id })
    .from(oneTimeCodes)
    .innerJoin(users, eq(users.id, oneTimeCodes.userId))
    .where(
      and(
        eq(users.email, email),
        isNull(users.disabledAt),
        eq(oneTimeCodes.target, users.email),
        inArray(oneTimeCodes.purpose, purposes),
        usable(window),
      ),
    )
    .orderBy(desc(oneTimeCodes.createdAt))
    .get();
  return row?.id;
}

export type GuessOutcome =
  | { result: "accepted"; code: OneTimeCodeRow }
  | { result: "wrong" }
  /** The account's budget for this purpose is spent until `retryAfterSeconds` have passed. */
  | { result: "over_budget"; retryAfterSeconds: number }
  | { result: "dead" };

export interface CodeGuess {
  id: string;
  purposes: CodePurpose[];
  codeHash: string;
  maxAttempts: number;
  budget: GuessBudget;
  window: SessionWindow;
  /** When set, a code of another user or sent to another target is dead to this guess (not counted). */
  owner?: CodeOwner;
}

/**
 * One batch, one transaction: (1) counts the guess against the account's budget for the code's
 * purpose, if the code is live; (2) inside the budget, counts the code's attempt and consumes it if
 * the hash matches; (3) a match forgets the budget's count. A dead code counts nothing anywhere.
 */
export async function guessCode(db: Database, guess: CodeGuess): Promise<GuessOutcome> {
  const now = guess.window.now;
  const { maxGuesses, windowSeconds } = guess.budget;
  const live = and(
    eq(oneTimeCodes.id, guess.id),
    inArray(oneTimeCodes.purpose, guess.purposes),
    usable(guess.window),
    lt(oneTimeCodes.attempts, guess.maxAttempts),
    guess.owner ? eq(oneTimeCodes.userId, guess.owner.userId) : undefined,
    guess.owner ? eq(oneTimeCodes.target, guess.owner.target) : undefined,
  );
  const windowOver = sql`${codeFailures.windowStartedAt} <= ${now - windowSeconds}`;
  const [budgetRows, guessed] = await db.batch([
    db
      .insert(codeFailures)
      .select((qb) =>
        qb
          .select({
            userId: oneTimeCodes.userId,
            purpose: oneTimeCodes.purpose,
            failures: sql<number>`1`.as("failures"),
            windowStartedAt: sql<number>`${now}`.as("window_started_at"),
          })
          .from(oneTimeCodes)
          .where(live),
      )
      .onConflictDoUpdate({
        target: [codeFailures.userId, codeFailures.purpose],
        set: {
          failures: sql`case when ${windowOver} then 1 else ${codeFailures.failures} + 1 end`,
          windowStartedAt: sql`case when ${windowOver} then ${now} else ${codeFailures.windowStartedAt} end`,
        },
      })
      .returning({ failures: codeFailures.failures, windowStartedAt: codeFailures.windowStartedAt }),
    db
      .update(oneTimeCodes)
      .set({
        attempts: sql`${oneTimeCodes.attempts} + 1`,
        consumedAt: sql`case when ${oneTimeCodes.codeHash} = ${guess.codeHash} then ${now} else null end`,
      })
      .where(
        and(
          live,
          sql`exists (select 1 from ${codeFailures} where ${codeFailures.userId} = ${oneTimeCodes.userId} and ${codeFailures.purpose} = ${oneTimeCodes.purpose} and ${codeFailures.failures} <= ${maxGuesses})`,
        ),
      )
      .returning(),
    // A row-value IN, not a correlated EXISTS: SQLite then finds the row by its primary key instead of
    // reading the whole table on every guess (test/query-plans.test.ts).
    db
      .delete(codeFailures)
      .where(
        sql`(${codeFailures.userId}, ${codeFailures.purpose}) in (select ${oneTimeCodes.userId}, ${oneTimeCodes.purpose} from ${oneTimeCodes} where ${oneTimeCodes.id} = ${guess.id} and ${oneTimeCodes.codeHash} = ${guess.codeHash} and ${oneTimeCodes.consumedAt} = ${now})`,
      ),
  ]);
  const [row] = guessed;
  if (row) return row.consumedAt === null ? { result: "wrong" } : { result: "accepted", code: row };
  const [budget] = budgetRows;
  if (budget && budget.failures > maxGuesses) {
    return { result: "over_budget", retryAfterSeconds: Math.max(1, budget.windowStartedAt + windowSeconds - now) };
  }
  return { result: "dead" };
}

/** Consumes the code a mail link names; link tokens carry 128 bits, so no attempt counting is needed. */
export async function consumeLink(
  db: Database,
  link: { linkHash: string; window: SessionWindow; purposes: CodePurpose[] },
): Promise<OneTimeCodeRow | undefined> {
  return db
    .update(oneTimeCodes)
    .set({ consumedAt: link.window.now })
    .where(
      and(eq(oneTimeCodes.linkHash, link.linkHash), inArray(oneTimeCodes.purpose, link.purposes), usable(link.window)),
    )
    .returning()
    .get();
}
