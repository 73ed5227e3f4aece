// Invitations to an organization. Acceptance is decided by one UPDATE … RETURNING (pending, unexpired,
// for this email, the organization live, the user not yet a member) batched with the membership insert
// that reads the row it just marked, so 50 parallel accepts make one member and consume it once.

import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "./database";
import { type InvitationRow, invitations, memberships, organizations, users } from "./schema";

export type NewInvitation = typeof invitations.$inferInsert;

const pending = (now: number) =>
  and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));

/** Stores the invitation, revoking in the same batch any earlier pending one for that org and email. */
export async function insertInvitation(db: Database, invitation: NewInvitation): Promise<InvitationRow> {
  const now = invitation.createdAt;
  const [, [inserted]] = await db.batch([
    db
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.organizationId, invitation.organizationId),
          eq(invitations.email, invitation.email),
          pending(now),
        ),
      ),
    db.insert(invitations).values(invitation).returning(),
  ]);
  if (!inserted) throw new Error("invitation insert returned no row");
  return inserted;
}

export async function listPendingInvitations(db: Database, organizationId: string, now: number) {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.organizationId, organizationId), pending(now)))
    .orderBy(desc(invitations.createdAt))
    .all();
}

export async function revokeInvitation(
  db: Database,
  organizationId: string,
  id: string,
  now: number,
): Promise<InvitationRow | undefined> {
  return db
    .update(invitations)
    .set({ revokedAt: now })
    .where(and(eq(invitations.id, id), eq(invitations.organizationId, organizationId), pending(now)))
    .returning()
    .get();
}

/** A new token (and a fresh expiry) for a pending invitation: the old link and code stop working. */
export async function reissueInvitation(
  db: Database,
  organizationId: string,
  id: string,
  fresh: { tokenHash: string; expiresAt: number },
  now: number,
): Promise<InvitationRow | undefined> {
  return db
    .update(invitations)
    .set(fresh)
    .where(and(eq(invitations.id, id), eq(invitations.organizationId, organizationId), pending(now)))
    .returning()
    .get();
}

/**
 * Consumes the invitation for `user` and makes them a member, in one batch; answers the invitation
 * when this call consumed it, undefined otherwise (see findInvitationByHash for why).
 */
export async function acceptInvitation(
  db: Database,
  tokenHash: string,
  user: { id: string; email: string },
  now: number,
): Promise<InvitationRow | undefined> {
  const [accepted] = await db.batch([
    db
      .update(invitations)
      .set({ acceptedAt: now, acceptedByUserId: user.id })
      .where(
        and(
          eq(invitations.tokenHash, tokenHash),
          eq(invitations.email, user.email),
          pending(now),
          sql`exists (select 1 from ${organizations} where ${organizations.id} = ${invitations.organizationId} and ${organizations.deletedAt} is null)`,
          sql`not exists (select 1 from ${memberships} where ${memberships.organizationId} = ${invitations.organizationId} and ${memberships.userId} = ${user.id})`,
        ),
      )
      .returning(),
    db
      .insert(memberships)
      .select(
        db
          .select({
            organizationId: invitations.organizationId,
            userId: sql<string>`${user.id}`.as("user_id"),
            role: invitations.role,
            status: sql<"active">`'active'`.as("status"),
            createdAt: sql<number>`${now}`.as("created_at"),
            updatedAt: sql<number>`${now}`.as("updated_at"),
          })
          .from(invitations)
          .where(
            and(
              eq(invitations.tokenHash, tokenHash),
              eq(invitations.acceptedByUserId, user.id),
              eq(invitations.acceptedAt, now),
            ),
          ),
      )
      .onConflictDoNothing(),
    // The token reached the invited mailbox: for an account not yet verified, that proves the address.
    db
      .update(users)
      .set({ emailVerified: true, updatedAt: now })
      .where(
        and(
          eq(users.id, user.id),
          eq(users.email, user.email),
          eq(users.emailVerified, false),
          sql`exists (select 1 from ${invitations} where ${invitations.tokenHash} = ${tokenHash} and ${invitations.acceptedByUserId} = ${user.id} and ${invitations.acceptedAt} = ${now})`,
        ),
      ),
  ]);
  return accepted[0];
}

export async function findInvitationByHash(db: Database, tokenHash: string): Promise<InvitationRow | undefined> {
  return db.select().from(invitations).where(eq(invitations.tokenHash, tokenHash)).get();
}

/** A pending, unexpired invitation of a live organization by its token's hash, with that organization. */
export async function findPendingInvitationWithOrg(
  db: Database,
  tokenHash: string,
  now: number,
): Promise<{ invitation: InvitationRow; organization: typeof organizations.$inferSelect } | undefined> {
  return db
    .select({ invitation: invitations, organization: organizations })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(and(eq(invitations.tokenHash, tokenHash), pending(now), isNull(organizations.deletedAt)))
    .get();
}
