// Reads and writes of organizations and their members' rows as seen by the caller. Deleted
// organizations and suspended memberships count nowhere: every read here filters them out.

import { and, asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { forgetApiKeysOfOrganization } from "./api-key-cache";
import type { Database } from "./database";
import {
  apiKeys,
  invitations,
  type MembershipRow,
  memberships,
  type OrganizationRow,
  organizations,
  sessions,
  users,
} from "./schema";

export type NewOrganization = typeof organizations.$inferInsert;
export type NewMembership = typeof memberships.$inferInsert;

export interface OrgMembership {
  organization: OrganizationRow;
  membership: MembershipRow;
}

/** The organization and its first owner, in one batch (a taken slug fails it whole: a unique violation). */
export async function insertOrganizationWithOwner(
  db: Database,
  organization: NewOrganization,
  owner: NewMembership,
): Promise<void> {
  await db.batch([db.insert(organizations).values(organization), db.insert(memberships).values(owner)]);
}

const countsCondition = and(isNull(organizations.deletedAt), eq(memberships.status, "active"));

/**
 * How many organizations the row's user counts in (active memberships of live ones), as a column of
 * a select from users: a sign-in learns whether it needs a flow in the user's own read.
 */
export function activeOrganizationCountOfUser(db: Database) {
  const counted = db
    .select({ n: sql`count(*)` })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(and(eq(memberships.userId, users.id), countsCondition));
  return sql<number>`(${counted})`.mapWith(Number);
}

/** The user's active membership of a live organization, or undefined (unknown, deleted, not a member, suspended). */
export async function findActiveMembership(
  db: Database,
  organizationId: string,
  userId: string,
): Promise<OrgMembership | undefined> {
  return db
    .select({ organization: organizations, membership: memberships })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId), countsCondition))
    .get();
}

/** The live organizations the user is an active member of, oldest membership first. */
export async function listActiveMemberships(db: Database, userId: string): Promise<OrgMembership[]> {
  return db
    .select({ organization: organizations, membership: memberships })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(and(eq(memberships.userId, userId), countsCondition))
    .orderBy(asc(memberships.createdAt), asc(organizations.id))
    .all();
}

export async function updateOrganization(
  db: Database,
  id: string,
  fields: Partial<Pick<OrganizationRow, "name" | "slug" | "settings">>,
  now: number,
): Promise<OrganizationRow | undefined> {
  return db
    .update(organizations)
    .set({ ...fields, updatedAt: now })
    .where(and(eq(organizations.id, id), isNull(organizations.deletedAt)))
    .returning()
    .get();
}

/**
 * Soft-deletes the organization once, in one batch with what its deletion ends: its pending
 * invitations, the sessions scoped to it and its API keys (their ids come back, for the access-token
 * denylist).
 */
export async function softDeleteOrganization(
  db: Database,
  id: string,
  now: number,
): Promise<{ deleted: boolean; sessionIds: string[]; apiKeyIds: string[] }> {
  const deletedNow = sql`exists (select 1 from ${organizations} where ${organizations.id} = ${id} and ${organizations.deletedAt} = ${now})`;
  const [deleted, , scoped, keys] = await db.batch([
    db
      .update(organizations)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(organizations.id, id), isNull(organizations.deletedAt)))
      .returning({ id: organizations.id }),
    db
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.organizationId, id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          deletedNow,
        ),
      ),
    db
      .update(sessions)
      .set({ activeOrganizationId: null })
      .where(and(eq(sessions.activeOrganizationId, id), isNotNull(sessions.activeOrganizationId), deletedNow))
      .returning({ id: sessions.id }),
    // Its keys die with it (findUsableApiKey already refuses a deleted organization's; this makes it last).
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.organizationId, id), isNull(apiKeys.revokedAt), deletedNow))
      .returning({ id: apiKeys.id }),
  ]);
  forgetApiKeysOfOrganization(db.$client, id);
  return {
    deleted: deleted.length === 1,
    sessionIds: scoped.map((row) => row.id),
    apiKeyIds: keys.map((row) => row.id),
  };
}

/** The organization if it exists and is not deleted. */
export async function findLiveOrganization(db: Database, id: string) {
  return db
    .select()
    .from(organizations)
    .where(and(eq(organizations.id, id), isNull(organizations.deletedAt)))
    .get();
}
