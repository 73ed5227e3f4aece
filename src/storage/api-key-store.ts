// Reads and writes of API keys. Every decision is in a statement's WHERE (usable, owned, not yet
// rolled, under the per-user cap), so parallel requests cannot both win; nothing is read first to decide.

import { and, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { forgetApiKey } from "./api-key-cache";
import type { Database } from "./database";
import { type ApiKeyRow, apiKeys, type UserRow, users } from "./schema";

export type NewApiKey = typeof apiKeys.$inferInsert;

/** Usable at `now`: not revoked, not expired, and (if rolled) still within its grace. */
export function usableKeyCondition(now: number) {
  return and(
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
    or(isNull(apiKeys.graceEndsAt), gt(apiKeys.graceEndsAt, now)),
  );
}

const usableCountOf = (userId: string, now: number) =>
  sql`(select count(*) from ${apiKeys} where ${apiKeys.userId} = ${userId} and ${usableKeyCondition(now)})`;

/**
 * Stores `key` unless its owner would then hold more than `maxUsable` usable keys: the insert and a
 * delete of the new row when over the cap run as one batch, so parallel creations cannot overrun it.
 */
export async function insertApiKeyUnderCap(
  db: Database,
  key: NewApiKey,
  maxUsable: number,
): Promise<ApiKeyRow | undefined> {
  const [[inserted], removed] = await db.batch([
    db.insert(apiKeys).values(key).returning(),
    db
      .delete(apiKeys)
      .where(and(eq(apiKeys.id, key.id), sql`${usableCountOf(key.userId, key.createdAt)} > ${maxUsable}`))
      .returning({ id: apiKeys.id }),
  ]);
  return removed.length === 0 ? inserted : undefined;
}

export async function listUsableApiKeys(db: Database, userId: string, now: number): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), usableKeyCondition(now)))
    .orderBy(desc(apiKeys.createdAt))
    .all();
}

/** One indexed read: the usable key with this hash and its owner, if the owner is not disabled. */
export async function findUsableApiKey(
  db: Database,
  secretHash: string,
  now: number,
): Promise<{ key: ApiKeyRow; user: UserRow } | undefined> {
  return db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.secretHash, secretHash), usableKeyCondition(now), isNull(users.disabledAt)))
    .get();
}

/** The owner's usable key by id (another user's key reads as absent). */
export async function findOwnUsableApiKey(
  db: Database,
  userId: string,
  id: string,
  now: number,
): Promise<ApiKeyRow | undefined> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), usableKeyCondition(now)))
    .get();
}

/** Revokes the owner's usable key, once: answers its row, or undefined (unknown, another's, already dead). */
export async function revokeOwnApiKey(
  db: Database,
  userId: string,
  id: string,
  now: number,
): Promise<ApiKeyRow | undefined> {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), usableKeyCondition(now)))
    .returning()
    .get();
  if (revoked) forgetApiKey(db.$client, id);
  return revoked;
}

/**
 * Rolls `old` to `successor` in one batch: the old key is marked (only if it is still usable, owned
 * and not rolled before) with its successor and grace end, and the successor is inserted and deleted
 * again unless that mark took. Answers the successor's row, or undefined when the roll did not happen.
 */
export async function rollOwnApiKey(
  db: Database,
  old: Pick<ApiKeyRow, "id" | "userId">,
  successor: NewApiKey,
  graceEndsAt: number,
): Promise<ApiKeyRow | undefined> {
  const now = successor.createdAt;
  const [marked, [inserted]] = await db.batch([
    db
      .update(apiKeys)
      .set({ successorId: successor.id, graceEndsAt })
      .where(
        and(
          eq(apiKeys.id, old.id),
          eq(apiKeys.userId, old.userId),
          isNull(apiKeys.successorId),
          usableKeyCondition(now),
        ),
      )
      .returning({ id: apiKeys.id }),
    db.insert(apiKeys).values(successor).returning(),
    db
      .delete(apiKeys)
      .where(
        and(
          eq(apiKeys.id, successor.id),
          sql`not exists (select 1 from ${apiKeys} as old where old.id = ${old.id} and old.successor_id = ${successor.id})`,
        ),
      ),
  ]);
  if (marked.length !== 1) return undefined;
  forgetApiKey(db.$client, old.id);
  return inserted;
}

/**
 * Records a use, at most once per `intervalSeconds`: the WHERE lets only a statement that finds the
 * stamp older than the interval write, so many parallel uses write the row once.
 */
export async function touchApiKeyLastUsed(
  db: Database,
  id: string,
  now: number,
  intervalSeconds: number,
): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, now - intervalSeconds))))
    .run();
}
