// Reads and writes of sessions. Revocation is one UPDATE … RETURNING, so it happens exactly once.

import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
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
export async function findLiveSession(
  db: Database,
  sessionId: string,
  window: SessionWindow,
): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  return db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), liveSessionCondition(window), isNull(users.disabledAt)))
    .get();
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
