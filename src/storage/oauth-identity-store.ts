// The identities table (external sign-in identities), and the one batch that hands a never-verified
// account to the owner a provider proved: the squatter's password, factors, keys, identities, codes
// and sessions go, the address is marked verified and the identity attached, all or nothing.

import { and, eq, exists, isNull, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { type IdentityRow, identities, sessions, type UserRow, users } from "./schema";
import type { AlongsideRead } from "./session-store";
import { discardingUnprovenState, revokedKeyIdsAt } from "./unproven-account-store";

export type NewIdentity = typeof identities.$inferInsert;

export async function findIdentity(db: Database, provider: string, subject: string): Promise<IdentityRow | undefined> {
  return db
    .select()
    .from(identities)
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)))
    .get();
}

/**
 * The identity `provider`/`subject` names and the user it belongs to, in one round trip (a batch of
 * two single-table reads: a joined row's equal column names would collide in D1's batch results).
 */
export async function findIdentityWithUser(
  db: Database,
  provider: string,
  subject: string,
): Promise<{ identity: IdentityRow; user: UserRow | undefined } | undefined> {
  const named = and(eq(identities.provider, provider), eq(identities.subject, subject));
  const [found, owners] = await db.batch([
    db.select().from(identities).where(named),
    db
      .select()
      .from(users)
      .where(eq(users.id, sql`(${db.select({ userId: identities.userId }).from(identities).where(named)})`)),
  ]);
  const [identity] = found;
  return identity ? { identity, user: owners[0] } : undefined;
}

export function listIdentities(db: Database, userId: string): Promise<IdentityRow[]> {
  return db.select().from(identities).where(eq(identities.userId, userId)).all();
}

/** The same read for the session check's round trip (session-store.ts findLiveSessionWith). */
export const identitiesOfSessionUser =
  (db: Database): AlongsideRead<IdentityRow> =>
  (sessionUserId) =>
    db.select().from(identities).where(eq(identities.userId, sessionUserId));

/** The insert of a new identity, for the batch that opens the session (or creates the user) beside it. */
export function insertingIdentity(db: Database, identity: NewIdentity): PendingWrite {
  return db.insert(identities).values(identity);
}

/** What the provider says now, on each sign-in with a known identity. */
export function touchingIdentity(
  db: Database,
  id: string,
  seen: { email: string | null; emailVerified: boolean; now: number },
): PendingWrite {
  return db
    .update(identities)
    .set({ email: seen.email, emailVerified: seen.emailVerified, lastUsedAt: seen.now })
    .where(eq(identities.id, id));
}

/**
 * The pre-account takeover defence, as one batch: while `userId` is still unverified, everything set
 * on it before (password, username, API keys, linked identities, second factors, challenges, live
 * codes, sessions) is discarded, the address marked verified, and `identity` attached. Answers the
 * ended sessions' and revoked keys' ids; `verified` is false when the account had been verified
 * meanwhile (then only the identity was attached).
 */
export async function claimUnprovenAccount(
  db: Database,
  userId: string,
  identity: NewIdentity,
  now: number,
): Promise<{ verified: boolean; revokedSessionIds: string[]; revokedKeyIds: string[] }> {
  const unverified = exists(
    db
      .select({ one: sql`1` })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.emailVerified, false))),
  );
  const discarded = discardingUnprovenState(db, userId, now, unverified, { clearUsername: true });
  const results = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: "unproven_account_claimed" })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), unverified))
      .returning({ id: sessions.id }),
    ...discarded,
    db
      .update(users)
      .set({ passwordHash: null, emailVerified: true, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.emailVerified, false)))
      .returning({ id: users.id }),
    insertingIdentity(db, identity),
  ]);
  const revoked = results[0] as { id: string }[];
  const verifiedNow = results[results.length - 2] as { id: string }[];
  return {
    verified: verifiedNow.length > 0,
    revokedSessionIds: revoked.map((row) => row.id),
    revokedKeyIds: revokedKeyIdsAt(results, 1),
  };
}

/**
 * Unlinks the account's identities of `provider`, in one statement, only while another way to sign
 * in remains (a password, or an identity of another provider): two parallel unlinks cannot both
 * pass. Answers how many were removed; 0 with `identities` > 0 means it was the last way in.
 */
export async function unlinkIdentityUnlessLast(
  db: Database,
  userId: string,
  provider: string,
): Promise<{ removed: number }> {
  const otherWayIn = sql`(exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.passwordHash} is not null)
    or exists (select 1 from ${identities} as other where other.user_id = ${userId} and other.provider <> ${provider}))`;
  const removed = await db
    .delete(identities)
    .where(and(eq(identities.userId, userId), eq(identities.provider, provider), otherWayIn))
    .returning({ id: identities.id });
  return { removed: removed.length };
}
