// Reads and writes of the admin API (src/services/admin-*.ts): users searched by email, id and
// creation time, newest first and paged by keyset (created_at, id) so a page costs the same however
// deep it is; one user with what belongs to them, read in one batch; a second-factor reset and an
// email verification, each one atomic batch or statement.

import { and, count, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { usableKeyCondition } from "./api-key-store";
import type { Database } from "./database";
import {
  type ApiKeyRow,
  apiKeys,
  type IdentityRow,
  identities,
  mfaChallenges,
  recoveryCodes,
  type SessionRow,
  sessions,
  type TotpFactorRow,
  totpFactors,
  type UserRow,
  users,
} from "./schema";
import { liveSessionCondition, type SessionWindow } from "./session-store";

export interface UserSearch {
  /** Normalized already. */
  email?: string;
  id?: string;
  /** Unix seconds, exclusive bounds. */
  createdAfter?: number;
  createdBefore?: number;
  /** The last row of the previous page: this page starts strictly after it. */
  after?: { createdAt: number; id: string };
  /** Rows to read (the caller asks one more than it shows, to know whether a next page exists). */
  limit: number;
}

/** Users matching every given filter, newest first (ties by id, descending). */
export async function searchUsers(db: Database, search: UserSearch): Promise<UserRow[]> {
  const { after } = search;
  return db
    .select()
    .from(users)
    .where(
      and(
        search.email === undefined ? undefined : eq(users.email, search.email),
        search.id === undefined ? undefined : eq(users.id, search.id),
        search.createdAfter === undefined ? undefined : gt(users.createdAt, search.createdAfter),
        search.createdBefore === undefined ? undefined : lt(users.createdAt, search.createdBefore),
        after === undefined
          ? undefined
          : or(lt(users.createdAt, after.createdAt), and(eq(users.createdAt, after.createdAt), lt(users.id, after.id))),
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(search.limit)
    .all();
}

export interface UserDetailRows {
  user: UserRow;
  sessions: SessionRow[];
  identities: IdentityRow[];
  totp: Pick<TotpFactorRow, "confirmedAt" | "createdAt" | "lockedUntil"> | null;
  unusedRecoveryCodes: number;
  apiKeys: ApiKeyRow[];
}

/** The user, live sessions, identities, TOTP state, unused recovery codes and usable keys: one round trip. */
export async function findUserDetail(
  db: Database,
  userId: string,
  window: SessionWindow,
): Promise<UserDetailRows | undefined> {
  const [userRows, sessionRows, identityRows, totpRows, recoveryRows, keyRows] = await db.batch([
    db.select().from(users).where(eq(users.id, userId)),
    db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), liveSessionCondition(window)))
      .orderBy(desc(sessions.lastUsedAt)),
    db.select().from(identities).where(eq(identities.userId, userId)),
    db
      .select({
        confirmedAt: totpFactors.confirmedAt,
        createdAt: totpFactors.createdAt,
        lockedUntil: totpFactors.lockedUntil,
      })
      .from(totpFactors)
      .where(eq(totpFactors.userId, userId)),
    db
      .select({ unused: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
    db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), usableKeyCondition(window.now)))
      .orderBy(desc(apiKeys.createdAt)),
  ]);
  const [user] = userRows;
  if (!user) return undefined;
  return {
    user,
    sessions: sessionRows,
    identities: identityRows,
    totp: totpRows[0] ?? null,
    unusedRecoveryCodes: recoveryRows[0]?.unused ?? 0,
    apiKeys: keyRows,
  };
}

export interface SecondFactorReset {
  totpRemoved: boolean;
  recoveryCodesRemoved: number;
  smsSignInWasOn: boolean;
  /** Logins that had passed the password and waited for a factor: they cannot finish now. */
  challengesEnded: number;
}

/**
 * Removes TOTP, every recovery code and SMS sign-in, and ends pending MFA challenges, in one batch
 * (all or nothing). Undefined for an unknown user.
 */
export async function resetSecondFactors(
  db: Database,
  userId: string,
  now: number,
): Promise<SecondFactorReset | undefined> {
  const [before, updated, totp, codes, challenges] = await db.batch([
    db.select({ smsMfaEnabled: users.smsMfaEnabled }).from(users).where(eq(users.id, userId)),
    db
      .update(users)
      .set({ smsMfaEnabled: false, updatedAt: now })
      .where(eq(users.id, userId))
      .returning({ id: users.id }),
    db.delete(totpFactors).where(eq(totpFactors.userId, userId)).returning({ userId: totpFactors.userId }),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).returning({ id: recoveryCodes.id }),
    db
      .delete(mfaChallenges)
      .where(and(eq(mfaChallenges.userId, userId), isNull(mfaChallenges.consumedAt)))
      .returning({ id: mfaChallenges.id }),
  ]);
  if (updated.length === 0) return undefined;
  return {
    totpRemoved: totp.length > 0,
    recoveryCodesRemoved: codes.length,
    smsSignInWasOn: before[0]?.smsMfaEnabled ?? false,
    challengesEnded: challenges.length,
  };
}

/** Marks the user's current address verified; the row after, or undefined for an unknown id. */
export async function setEmailVerified(db: Database, userId: string, now: number): Promise<UserRow | undefined> {
  return db.update(users).set({ emailVerified: true, updatedAt: now }).where(eq(users.id, userId)).returning().get();
}
