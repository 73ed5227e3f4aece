// Reads and writes of sessions. Revocation is one UPDATE … RETURNING, so it happens exactly once.

import { and, desc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database, PendingWrite } from "./database";
import { refreshTokens, type SessionRow, sessions, type UserRow, users } from "./schema";

export type NewSession = typeof sessions.$inferInsert;
export type NewRefreshToken = typeof refreshTokens.$inferInsert;

export interface SessionWindow {
  now: number;
  idleTimeoutSeconds: number;
}

/** A session is live while it is not revoked, not past its absolute expiry and not idle too long. */
export function liveSessionCondition(window: SessionWindow) {
  return and(
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, window.now),
    gt(sessions.lastUsedAt, window.now - window.idleTimeoutSeconds),
  );
}

/** The session and its first refresh token, with a caller's own writes before or after, in one atomic batch. */
export async function insertSession(
  db: Database,
  session: NewSession,
  token: NewRefreshToken,
  writes: { before?: PendingWrite[]; alongside?: PendingWrite[] } = {},
): Promise<void> {
  const [first, ...rest]: PendingWrite[] = [
    ...(writes.before ?? []),
    db.insert(sessions).values(session),
    db.insert(refreshTokens).values(token),
    ...(writes.alongside ?? []),
  ];
  if (first) await db.batch([first, ...rest]);
}

/** The live session with its user, or undefined: how sensitive endpoints check a token at once. */
export type LiveSession = { session: SessionRow; user: UserRow };

export async function findLiveSession(
  db: Database,
  sessionId: string,
  window: SessionWindow,
): Promise<LiveSession | undefined> {
  return db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), liveSessionCondition(window), isNull(users.disabledAt)))
    .get();
}

/** A read of the session's user run beside the session check: built from a subquery naming that user's id. */
export type AlongsideRead<T> = (sessionUserId: SQL) => BatchItem<"sqlite"> & PromiseLike<T[]>;

/**
 * findLiveSession and `alongside` in one round trip (a route that needs one more read of the caller's
 * rows saves a D1 call). `alongside` runs whether or not the session is live; its rows mean something
 * only when it is. Single-table reads: D1 answers a batch's rows as objects keyed by column name, so a
 * join's two `id` columns would collide.
 */
export async function findLiveSessionWith<T>(
  db: Database,
  sessionId: string,
  window: SessionWindow,
  alongside: AlongsideRead<T>,
): Promise<{ live: LiveSession | undefined; rows: T[] }> {
  const sessionUserId = sql`(select ${sessions.userId} from ${sessions} where ${sessions.id} = ${sessionId})`;
  const [[session], [user], rows] = await db.batch([
    db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), liveSessionCondition(window)))
      .limit(1),
    db
      .select()
      .from(users)
      .where(and(eq(users.id, sessionUserId), isNull(users.disabledAt)))
      .limit(1),
    alongside(sessionUserId),
  ]);
  const live = session && user && session.userId === user.id ? { session, user } : undefined;
  return { live, rows: rows as T[] };
}

export async function listLiveSessions(db: Database, userId: string, window: SessionWindow): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), liveSessionCondition(window)))
    .orderBy(desc(sessions.lastUsedAt))
    .all();
}

/** Revokes one session (of one user, when given); answers its user id, or null when nothing live was revoked. */
export async function revokeSession(
  db: Database,
  sessionId: string,
  userId: string | null,
  reason: string,
  now: number,
): Promise<string | null> {
  const owner = userId === null ? sql`1 = 1` : eq(sessions.userId, userId);
  const row = await db
    .update(sessions)
    .set({ revokedAt: now, revokeReason: reason })
    .where(and(eq(sessions.id, sessionId), owner, isNull(sessions.revokedAt)))
    .returning({ userId: sessions.userId })
    .get();
  return row?.userId ?? null;
}

/**
 * Revokes every unrevoked session of a user, with `alongside` (a caller's own writes) in the same
 * batch; returns their ids for the access-token denylist.
 */
export async function revokeAllSessions(
  db: Database,
  userId: string,
  reason: string,
  now: number,
  alongside: PendingWrite[] = [],
): Promise<string[]> {
  const [rows] = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: reason })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id }),
    ...alongside,
  ]);
  return rows.map((row) => row.id);
}

export async function touchSession(db: Database, sessionId: string, now: number): Promise<void> {
  await db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, sessionId));
}
