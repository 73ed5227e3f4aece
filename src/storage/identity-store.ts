// External identities (social and OIDC sign-in) in D1: one row per (provider, subject), unique, so
// linking the same provider account twice is refused by the index, never by a read before a write.

import { and, eq } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { type IdentityRow, identities, type UserRow, users } from "./schema";

export type NewIdentity = typeof identities.$inferInsert;

/** The account a provider's subject signs in to, with the identity row. */
export async function findUserByIdentity(
  db: Database,
  provider: string,
  subject: string,
): Promise<{ identity: IdentityRow; user: UserRow } | undefined> {
  return db
    .select({ identity: identities, user: users })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)))
    .get();
}

export async function listIdentities(db: Database, userId: string): Promise<IdentityRow[]> {
  return db.select().from(identities).where(eq(identities.userId, userId)).orderBy(identities.createdAt).all();
}

/** The insert of a new link, for the caller's batch (with the user it belongs to, on a first sign-in). */
export function linkingIdentity(db: Database, identity: NewIdentity): PendingWrite {
  return db.insert(identities).values(identity);
}
