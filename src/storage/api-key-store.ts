// Reads and writes of API keys. Every decision is in a statement's WHERE (usable, owned, not yet
// rolled, under the owner's cap), so parallel requests cannot both win; nothing is read first to decide.
// A key's owner is one user or one organization (KeyOwner): each statement is scoped to one of them,
// so a user's key is never reached through an organization's routes or the other way round.

import { and, desc, eq, gt, isNotNull, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { forgetApiKey } from "./api-key-cache";
import type { Database } from "./database";
import { type ApiKeyRow, apiKeys, type OrganizationRow, organizations, type UserRow, users } from "./schema";

export type NewApiKey = typeof apiKeys.$inferInsert;

/** Whose keys a statement touches. */
export type KeyOwner = { userId: string } | { organizationId: string };

export function ownerCondition(owner: KeyOwner): SQL {
  return "userId" in owner ? eq(apiKeys.userId, owner.userId) : eq(apiKeys.organizationId, owner.organizationId);
}

/** The owner a stored key names (the schema's CHECK makes it exactly one). */
export function ownerOf(key: Pick<ApiKeyRow, "userId" | "organizationId">): KeyOwner {
  return key.organizationId !== null ? { organizationId: key.organizationId } : { userId: key.userId ?? "" };
}

/** Usable at `now`: not revoked, not expired, and (if rolled) still within its grace. */
export function usableKeyCondition(now: number) {
  return and(
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
    or(isNull(apiKeys.graceEndsAt), gt(apiKeys.graceEndsAt, now)),
  );
}

const usableCountOf = (owner: KeyOwner, now: number) =>
  sql`(select count(*) from ${apiKeys} where ${ownerCondition(owner)} and ${usableKeyCondition(now)})`;

/**
 * Stores `key` unless its owner (user or organization) would then hold more than `maxUsable` usable
 * keys: the insert and a delete of the new row when over the cap run as one batch, so parallel
 * creations cannot overrun it.
 */
export async function insertApiKeyUnderCap(
  db: Database,
  key: NewApiKey,
  maxUsable: number,
): Promise<ApiKeyRow | undefined> {
  const owner = ownerOf({ userId: key.userId ?? null, organizationId: key.organizationId ?? null });
  const [[inserted], removed] = await db.batch([
    db.insert(apiKeys).values(key).returning(),
    db
      .delete(apiKeys)
      .where(and(eq(apiKeys.id, key.id), sql`${usableCountOf(owner, key.createdAt)} > ${maxUsable}`))
      .returning({ id: apiKeys.id }),
  ]);
  return removed.length === 0 ? inserted : undefined;
}

export async function listUsableApiKeys(db: Database, owner: KeyOwner, now: number): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(and(ownerCondition(owner), usableKeyCondition(now)))
    .orderBy(desc(apiKeys.createdAt))
    .all();
}

/** A usable key found by its hash, with its owner: a user (enabled) or an organization (not deleted). */
export type FoundKey = { key: ApiKeyRow } & (
  | { user: UserRow; organization: null }
  | { user: null; organization: OrganizationRow }
);

/** One indexed read: the usable key with this hash and its owner, if that owner is live. */
export async function findUsableApiKey(db: Database, secretHash: string, now: number): Promise<FoundKey | undefined> {
  const found = await db
    .select({ key: apiKeys, user: users, organization: organizations })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .leftJoin(organizations, eq(organizations.id, apiKeys.organizationId))
    .where(
      and(
        eq(apiKeys.secretHash, secretHash),
        usableKeyCondition(now),
        or(
          and(isNotNull(users.id), isNull(users.disabledAt)),
          and(isNotNull(organizations.id), isNull(organizations.deletedAt)),
        ),
      ),
    )
    .get();
  if (!found) return undefined;
  const { key, user, organization } = found;
  if (user) return { key, user, organization: null };
  return organization ? { key, user: null, organization } : undefined;
}

/** The owner's usable key by id (another owner's key reads as absent). */
export async function findOwnUsableApiKey(
  db: Database,
  owner: KeyOwner,
  id: string,
  now: number,
): Promise<ApiKeyRow | undefined> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), ownerCondition(owner), usableKeyCondition(now)))
    .get();
}

/** Revokes the owner's usable key, once: answers its row, or undefined (unknown, another's, already dead). */
export async function revokeOwnApiKey(
  db: Database,
  owner: KeyOwner,
  id: string,
  now: number,
): Promise<ApiKeyRow | undefined> {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), ownerCondition(owner), usableKeyCondition(now)))
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
  old: Pick<ApiKeyRow, "id" | "userId" | "organizationId">,
  successor: NewApiKey,
  graceEndsAt: number,
): Promise<ApiKeyRow | undefined> {
  const now = successor.createdAt;
  const [marked, [inserted]] = await db.batch([
    db
      .update(apiKeys)
      .set({ successorId: successor.id, graceEndsAt })
      .where(
        and(eq(apiKeys.id, old.id), ownerCondition(ownerOf(old)), isNull(apiKeys.successorId), usableKeyCondition(now)),
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
