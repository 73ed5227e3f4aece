// Refresh-token rotation in D1. The claim is one batch: the UPDATE that marks the presented token
// rotated succeeds for exactly one caller (WHERE successor_hash IS NULL), and the successor row and
// session touch only happen in that same batch, so parallel refreshes cannot fork a family.

import { aliasedTable, and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "./database";
import { type RefreshTokenRow, refreshTokens, type SessionRow, sessions, type UserRow, users } from "./schema";
import { liveSessionCondition, type SessionWindow } from "./session-store";

export interface RotationClaim {
  presentedHash: string;
  successorHash: string;
  successorNonce: string;
}

export interface ClaimedRotation {
  session: SessionRow;
  user: UserRow;
}

export async function claimRotation(
  db: Database,
  claim: RotationClaim,
  window: SessionWindow,
): Promise<ClaimedRotation | undefined> {
  const { now } = window;
  const liveRotatingSession = db
    .select({ id: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, refreshTokens.sessionId),
        eq(sessions.rotatesRefreshToken, true),
        liveSessionCondition(window),
        isNull(users.disabledAt),
      ),
    );
  const wonBy = and(
    eq(refreshTokens.tokenHash, claim.presentedHash),
    eq(refreshTokens.successorHash, claim.successorHash),
  );
  const claimedSessionId = sql`(select ${refreshTokens.sessionId} from ${refreshTokens} where ${wonBy})`;

  const [, , , sessionRows, userRows] = await db.batch([
    db
      .update(refreshTokens)
      .set({ rotatedAt: now, successorHash: claim.successorHash, successorNonce: claim.successorNonce })
      .where(
        and(
          eq(refreshTokens.tokenHash, claim.presentedHash),
          isNull(refreshTokens.successorHash),
          sql`exists ${liveRotatingSession}`,
        ),
      ),
    db.insert(refreshTokens).select(
      db
        .select({
          tokenHash: sql<string>`${claim.successorHash}`.as("token_hash"),
          sessionId: refreshTokens.sessionId,
          generation: sql<number>`${refreshTokens.generation} + 1`.as("generation"),
          createdAt: sql<number>`${now}`.as("created_at"),
          rotatedAt: sql<null>`null`.as("rotated_at"),
          successorHash: sql<null>`null`.as("successor_hash"),
          successorNonce: sql<null>`null`.as("successor_nonce"),
        })
        .from(refreshTokens)
        .where(wonBy),
    ),
    db.update(sessions).set({ lastUsedAt: now }).where(sql`${sessions.id} = ${claimedSessionId}`),
    // One table per select: drizzle maps D1 batch rows by position from objects keyed by column name,
    // so a join of tables sharing names (id, created_at) would come back shifted (sub = email).
    db.select().from(sessions).where(sql`${sessions.id} = ${claimedSessionId}`),
    db
      .select()
      .from(users)
      .where(
        sql`${users.id} = (select ${sessions.userId} from ${sessions} where ${sessions.id} = ${claimedSessionId})`,
      ),
  ]);
  const [session] = sessionRows;
  const [user] = userRows;
  return session && user ? { session, user } : undefined;
}

export interface PresentedTokenState {
  token: RefreshTokenRow;
  session: SessionRow;
  user: UserRow;
  /** The successor's row when the token was rotated; its rotatedAt tells whether it was used since. */
  successor: RefreshTokenRow | null;
}

/** Everything needed to decide what an unclaimable token means: unknown, dead session, grace, or reuse. */
export async function findPresentedToken(db: Database, tokenHash: string): Promise<PresentedTokenState | undefined> {
  const successor = aliasedTable(refreshTokens, "successor");
  return db
    .select({ token: refreshTokens, session: sessions, user: users, successor })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(successor, eq(successor.tokenHash, refreshTokens.successorHash))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .get();
}
