// Sign-up with an invitation's token (NAP's inviteToken), in one batch: the new user, the
// invitation consumed for them (pending, unexpired, for this very address, of a live organization),
// and their membership with the invitation's role. The membership takes its organization and role
// from the consumed invitation, so when nothing was consumed they are NULL and the NOT NULL
// constraint fails the whole batch: no user without the invitation, no invitation used twice.

import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "./database";
import { type InvitationRow, invitations, memberships, organizations, type UserRow } from "./schema";
import { insertingUser } from "./user-store";

export async function insertUserAcceptingInvitation(
  db: Database,
  user: UserRow,
  tokenHash: string,
  now: number,
): Promise<InvitationRow | undefined> {
  const consumed = sql`from ${invitations} where ${invitations.tokenHash} = ${tokenHash} and ${invitations.acceptedByUserId} = ${user.id} and ${invitations.acceptedAt} = ${now}`;
  const [, accepted] = await db.batch([
    insertingUser(db, user),
    db
      .update(invitations)
      .set({ acceptedAt: now, acceptedByUserId: user.id })
      .where(
        and(
          eq(invitations.tokenHash, tokenHash),
          eq(invitations.email, user.email),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, now),
          sql`exists (select 1 from ${organizations} where ${organizations.id} = ${invitations.organizationId} and ${organizations.deletedAt} is null)`,
        ),
      )
      .returning(),
    db.insert(memberships).values({
      organizationId: sql`(select ${invitations.organizationId} ${consumed})`,
      userId: user.id,
      role: sql`(select ${invitations.role} ${consumed})`,
      status: "active",
      createdAt: now,
      updatedAt: now,
    }),
  ]);
  return accepted[0];
}

/** The failure of the batch above when no invitation was consumed (and nothing was stored). */
export function noInvitationConsumed(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (/NOT NULL constraint failed: memberships\./.test(current.message)) return true;
  }
  return false;
}
