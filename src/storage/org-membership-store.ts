// Members of an organization: the list, role changes and removal. "The last owner stays" is decided
// inside each statement's WHERE (a count of the other active owners), so parallel demotions or
// departures of two owners cannot both succeed.

import { and, asc, eq, ne, or, type SQL, sql } from "drizzle-orm";
import type { OrgRole } from "../services/org-permissions";
import type { Database } from "./database";
import { type MembershipRow, memberships, sessions, type UserRow, users } from "./schema";

export interface MemberRecord {
  membership: MembershipRow;
  user: Pick<UserRow, "id" | "email" | "name">;
}

export async function listMembers(db: Database, organizationId: string): Promise<MemberRecord[]> {
  return db
    .select({ membership: memberships, user: { id: users.id, email: users.email, name: users.name } })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, organizationId))
    .orderBy(asc(memberships.createdAt), asc(users.id))
    .all();
}

/** Any membership row (active or suspended): the target of a role change or a removal. */
export async function findMembershipRow(
  db: Database,
  organizationId: string,
  userId: string,
): Promise<MembershipRow | undefined> {
  return db
    .select()
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)))
    .get();
}

/** True unless the row is an active owner with no other active owner beside it. */
function notTheLastOwner(organizationId: string) {
  const otherOwners = sql`(select count(*) from ${memberships} as other where other.organization_id = ${organizationId} and other.role = 'owner' and other.status = 'active' and other.user_id != ${memberships.userId})`;
  return or(ne(memberships.role, "owner"), ne(memberships.status, "active"), sql`${otherOwners} > 0`);
}

/**
 * Sets the role of a member whose role is still `expected` (what the caller's permission check
 * saw); a demotion of the last owner does not happen. Answers the new row, or undefined.
 */
export async function changeMemberRole(
  db: Database,
  target: { organizationId: string; userId: string; expected: OrgRole },
  role: OrgRole,
  now: number,
): Promise<MembershipRow | undefined> {
  const { organizationId, userId, expected } = target;
  return db
    .update(memberships)
    .set({ role, updatedAt: now })
    .where(
      and(
        eq(memberships.organizationId, organizationId),
        eq(memberships.userId, userId),
        eq(memberships.role, expected),
        role === "owner" ? sql`1 = 1` : notTheLastOwner(organizationId),
      ),
    )
    .returning()
    .get();
}

/** The user's membership row in the organization, as a subquery to test with (not) exists. */
const membershipOf = (organizationId: string, userId: string) =>
  sql`select 1 from ${memberships} where ${memberships.organizationId} = ${organizationId} and ${memberships.userId} = ${userId}`;

/**
 * Clears the organization from the user's sessions scoped to it, once `condition` holds (in a batch
 * after the membership change: the change is what makes it hold); the ids come back for the denylist.
 */
function unscopeSessions(db: Database, organizationId: string, userId: string, condition: SQL) {
  return db
    .update(sessions)
    .set({ activeOrganizationId: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.activeOrganizationId, organizationId), condition))
    .returning({ id: sessions.id });
}

/**
 * Removes a member whose role is still `expected` (never the last owner), and in the same batch
 * clears the organization from that user's sessions: their ids come back for the denylist.
 */
export async function removeMember(
  db: Database,
  target: { organizationId: string; userId: string; expected: OrgRole },
): Promise<{ removed: MembershipRow | undefined; sessionIds: string[] }> {
  const { organizationId, userId, expected } = target;
  const [removed, scoped] = await db.batch([
    db
      .delete(memberships)
      .where(
        and(
          eq(memberships.organizationId, organizationId),
          eq(memberships.userId, userId),
          eq(memberships.role, expected),
          notTheLastOwner(organizationId),
        ),
      )
      .returning(),
    unscopeSessions(db, organizationId, userId, sql`not exists (${membershipOf(organizationId, userId)})`),
  ]);
  return { removed: removed[0], sessionIds: scoped.map((row) => row.id) };
}

/** Scopes a live session of the user to an organization they are an active member of; false otherwise. */
export async function setSessionOrganization(
  db: Database,
  sessionId: string,
  userId: string,
  organizationId: string,
): Promise<boolean> {
  const member = sql`exists (select 1 from ${memberships} inner join organizations o on o.id = ${memberships.organizationId} where ${memberships.organizationId} = ${organizationId} and ${memberships.userId} = ${userId} and ${memberships.status} = 'active' and o.deleted_at is null)`;
  const row = await db
    .update(sessions)
    .set({ activeOrganizationId: organizationId })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), sql`${sessions.revokedAt} is null`, member))
    .returning({ id: sessions.id })
    .get();
  return row !== undefined;
}

/**
 * Suspends or reactivates a member whose role is still `expected` and whose status is the other one
 * (never suspending the last active owner). A suspension clears the organization from the member's
 * sessions in the same batch: their ids come back for the denylist, as a removal's do.
 */
export async function setMemberStatus(
  db: Database,
  target: { organizationId: string; userId: string; expected: OrgRole },
  status: MembershipRow["status"],
  now: number,
): Promise<{ changed: MembershipRow | undefined; sessionIds: string[] }> {
  const { organizationId, userId, expected } = target;
  const from = status === "suspended" ? "active" : "suspended";
  const [changed, scoped] = await db.batch([
    db
      .update(memberships)
      .set({ status, updatedAt: now })
      .where(
        and(
          eq(memberships.organizationId, organizationId),
          eq(memberships.userId, userId),
          eq(memberships.role, expected),
          eq(memberships.status, from),
          status === "suspended" ? notTheLastOwner(organizationId) : sql`1 = 1`,
        ),
      )
      .returning(),
    unscopeSessions(
      db,
      organizationId,
      userId,
      sql`exists (${membershipOf(organizationId, userId)} and ${memberships.status} = 'suspended')`,
    ),
  ]);
  return { changed: changed[0], sessionIds: scoped.map((row) => row.id) };
}
