// Reads and writes of the users table. Every write that must not half-happen is one statement or one batch.

import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { forgetApiKeysOfUser } from "./api-key-cache";
import type { Database, PendingWrite } from "./database";
import { type NewOneTimeCode, voidingPendingEmailChanges } from "./one-time-code-store";
import { phoneChangeAllowed, phoneChangeResets } from "./phone-store";
import { oneTimeCodes, sessions, type UserRow, users } from "./schema";
import { liveSessionCondition, type SessionWindow } from "./session-store";
import { confirmedTotpOfUser } from "./totp-store";
import { discardingUnprovenState, passwordHashWritten, revokedKeyIdsAt } from "./unproven-account-store";

export type NewUser = typeof users.$inferInsert;
export type ProfileChanges = Partial<
  Pick<UserRow, "name" | "username" | "firstName" | "lastName" | "phone" | "address">
>;

export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/**
 * Disables the account (keeping the first `disabled_at` when it already was) or re-enables it. The
 * row after, or undefined for an unknown id.
 */
export async function setUserDisabled(
  db: Database,
  id: string,
  disabled: boolean,
  now: number,
): Promise<UserRow | undefined> {
  const row = await db
    .update(users)
    .set({ disabledAt: disabled ? sql`coalesce(${users.disabledAt}, ${now})` : null, updatedAt: now })
    .where(eq(users.id, id))
    .returning()
    .get();
  // This isolate's remembered key lookups follow at once: the account's keys, and "no such key"
  // answers a disabled owner caused (a re-enabled account's keys work again).
  forgetApiKeysOfUser(db.$client, id);
  return row;
}

export async function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.email, email)).get();
}

/** How a login names an account: a normalized email or username. */
export type UserKey = { email: string } | { username: string };

export interface UserWithTotpState {
  user: UserRow;
  /** A TOTP factor whose enrolment was confirmed; a pending one does not count (it cannot be asked for). */
  hasConfirmedTotp: boolean;
}

/**
 * The user `key` names with their TOTP state, as one statement not yet run, for a login's batch: the
 * second-factor check then needs no round trip of its own (see totp-store's hasConfirmedTotp).
 */
export function selectUserWithTotpState(db: Database, key: UserKey) {
  return db
    .select({ user: users, hasConfirmedTotp: confirmedTotpOfUser(db) })
    .from(users)
    .where("email" in key ? eq(users.email, key.email) : eq(users.username, key.username));
}

/** The insert of a new user, for a batch that writes what belongs to them beside it (a session). */
export function insertingUser(db: Database, user: NewUser): PendingWrite {
  return db.insert(users).values(user);
}

export async function updateUserProfile(
  db: Database,
  id: string,
  changes: ProfileChanges,
  now: number,
): Promise<UserRow | undefined> {
  return (
    db
      .update(users)
      // A different number has proven nothing: its verification and SMS sign-in end with the change.
      .set({ ...changes, ...(changes.phone === undefined ? {} : phoneChangeResets(changes.phone)), updatedAt: now })
      // Undefined (nothing written) when the number would change while SMS sign-in holds it.
      .where(and(eq(users.id, id), changes.phone === undefined ? undefined : phoneChangeAllowed(changes.phone)))
      .returning()
      .get()
  );
}

/** Compare-and-swap: replaces the hash only if it is still the one that was verified. */
export async function replacePasswordHash(
  db: Database,
  id: string,
  expectedHash: string,
  newHash: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .update(users)
    .set({ passwordHash: newHash, updatedAt: now })
    .where(and(eq(users.id, id), eq(users.passwordHash, expectedHash)))
    .returning({ id: users.id })
    .get();
  return row !== undefined;
}

/** Deletes the user; sessions and refresh tokens go with it (ON DELETE CASCADE). Returns their session ids. */
export async function deleteUser(db: Database, id: string): Promise<string[] | null> {
  const [sessionRows, deleted] = await db.batch([
    db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, id)),
    db.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
  ]);
  forgetApiKeysOfUser(db.$client, id);
  return deleted.length === 0 ? null : sessionRows.map((row) => row.id);
}

/**
 * A new user and the first one-time code mailed to them (a new user has no older code to replace),
 * in one atomic batch: one round trip, and a refused user (a unique violation) leaves no code.
 */
export async function insertUserWithCode(db: Database, user: NewUser, code: NewOneTimeCode): Promise<void> {
  await db.batch([db.insert(users).values(user), db.insert(oneTimeCodes).values(code)]);
}

/** Marks the address verified only if it is still the one the code was sent to. */
export async function markEmailVerified(
  db: Database,
  id: string,
  email: string,
  now: number,
): Promise<UserRow | undefined> {
  return db
    .update(users)
    .set({ emailVerified: true, updatedAt: now })
    .where(and(eq(users.id, id), eq(users.email, email)))
    .returning()
    .get();
}

export interface EmailSwitch {
  userId: string;
  email: string;
  /** The session that asked for the change: the switch happens only while it is live. */
  sessionId: string | null;
  window: SessionWindow;
  /** Verification required: an account that never proved this address does not hold it against its owner. */
  displaceUnverified: boolean;
}

/**
 * Switches to a confirmed new address, in one batch, only while the asking session is live and the
 * account enabled; an unverified account squatting the address is deleted in the same batch. A unique
 * violation means a verified account holds the address (the whole batch is undone).
 */
export async function switchEmail(db: Database, change: EmailSwitch): Promise<UserRow | undefined> {
  const { userId, email, sessionId, window } = change;
  const asking =
    sessionId === null
      ? sql`0`
      : sql`exists (select 1 from ${sessions} where ${sessions.id} = ${sessionId} and ${sessions.userId} = ${userId} and ${liveSessionCondition(window)})`;
  const switched = db
    .update(users)
    .set({ email, emailVerified: true, updatedAt: window.now })
    .where(and(eq(users.id, userId), isNull(users.disabledAt), asking))
    .returning();
  if (!change.displaceUnverified) return switched.get();
  const squat = and(eq(users.email, email), eq(users.emailVerified, false), ne(users.id, userId), asking);
  const [squatters, rows] = await db.batch([db.delete(users).where(squat).returning({ id: users.id }), switched]);
  for (const squatter of squatters) forgetApiKeysOfUser(db.$client, squatter.id);
  return rows[0];
}

export interface PasswordReplacement {
  userId: string;
  /** Compare-and-swap: replace only while this is still the stored hash; null replaces any. */
  expectedHash: string | null;
  newHash: string;
  now: number;
  revokeReason: string;
  /** The session that stays (the caller's, on a change). */
  keepSessionId?: string;
  /** A reset of an account whose address was never verified: also discard what was set before it. */
  discardUnproven?: { clearUsername: boolean };
}

/**
 * Sets a new password and ends the user's other sessions in one batch, so a failure cannot leave a new
 * password beside a thief's live session. The sessions end only if this very hash was written (hashes
 * are salted: no other write yields it). Returns the updated user, the revoked session ids and, for
 * an unproven account's reset, the ids of the keys it revoked.
 */
export async function replacePasswordEndingSessions(
  db: Database,
  change: PasswordReplacement,
): Promise<{ user: UserRow; revokedSessionIds: string[]; revokedKeyIds: string[] } | undefined> {
  const { userId, expectedHash, newHash, now, keepSessionId } = change;
  const written = passwordHashWritten(userId, newHash);
  const unproven = passwordHashWritten(userId, newHash, { unverified: true });
  const results = await db.batch([
    db
      .update(users)
      .set({ passwordHash: newHash, updatedAt: now })
      .where(and(eq(users.id, userId), expectedHash === null ? undefined : eq(users.passwordHash, expectedHash)))
      .returning(),
    db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: change.revokeReason })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          keepSessionId === undefined ? undefined : ne(sessions.id, keepSessionId),
          written,
        ),
      )
      .returning({ id: sessions.id }),
    // An email change asked for before the new password must not complete after it.
    voidingPendingEmailChanges(db, userId, now),
    ...(change.discardUnproven ? discardingUnprovenState(db, userId, now, unproven, change.discardUnproven) : []),
  ]);
  const [updated, revoked] = results;
  const [user] = updated;
  if (!user) return undefined;
  return { user, revokedSessionIds: revoked.map((row) => row.id), revokedKeyIds: revokedKeyIdsAt(results, 3) };
}
