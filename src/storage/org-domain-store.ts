// Email domains of organizations. "One verified owner per domain" is decided by the verifying UPDATE
// itself (no other live organization's row verified) with the partial unique index behind it; the
// auto-join of a verified address is one INSERT … SELECT that re-reads the user's verified address.

import { and, asc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { OrgRole } from "../services/org-permissions";
import type { Database } from "./database";
import { memberships, type OrganizationRow, type OrgDomainRow, organizations, orgDomains, users } from "./schema";

export type NewOrgDomain = typeof orgDomains.$inferInsert;
export type DomainPolicy = OrgDomainRow["policy"];

export async function insertDomain(db: Database, row: NewOrgDomain): Promise<OrgDomainRow> {
  const inserted = await db.insert(orgDomains).values(row).returning().get();
  if (!inserted) throw new Error("domain insert returned no row");
  return inserted;
}

export async function listDomains(db: Database, organizationId: string): Promise<OrgDomainRow[]> {
  return db
    .select()
    .from(orgDomains)
    .where(eq(orgDomains.organizationId, organizationId))
    .orderBy(asc(orgDomains.createdAt), asc(orgDomains.domain))
    .all();
}

export async function findDomain(db: Database, organizationId: string, id: string): Promise<OrgDomainRow | undefined> {
  return db
    .select()
    .from(orgDomains)
    .where(and(eq(orgDomains.id, id), eq(orgDomains.organizationId, organizationId)))
    .get();
}

/** Whether a live organization holds `domain` verified. */
export async function domainVerifiedElsewhere(db: Database, domain: string, organizationId: string): Promise<boolean> {
  const row = await db
    .select({ id: orgDomains.id })
    .from(orgDomains)
    .innerJoin(organizations, eq(organizations.id, orgDomains.organizationId))
    .where(
      and(
        eq(orgDomains.domain, domain),
        isNotNull(orgDomains.verifiedAt),
        isNull(organizations.deletedAt),
        sql`${orgDomains.organizationId} != ${organizationId}`,
      ),
    )
    .get();
  return row !== undefined;
}

/**
 * Marks the row verified unless another organization holds its domain verified; in the same batch, a
 * deleted organization's verified claim of the domain is dropped first, so it blocks no one.
 * Answers the verified row, or undefined when this call did not verify it.
 */
export async function markDomainVerified(
  db: Database,
  target: { organizationId: string; id: string; domain: string },
  now: number,
): Promise<OrgDomainRow | undefined> {
  const { organizationId, id, domain } = target;
  const [, verified] = await db.batch([
    db
      .delete(orgDomains)
      .where(
        and(
          eq(orgDomains.domain, domain),
          isNotNull(orgDomains.verifiedAt),
          sql`exists (select 1 from ${organizations} where ${organizations.id} = ${orgDomains.organizationId} and ${organizations.deletedAt} is not null)`,
        ),
      ),
    db
      .update(orgDomains)
      .set({ verifiedAt: now })
      .where(
        and(
          eq(orgDomains.id, id),
          eq(orgDomains.organizationId, organizationId),
          isNull(orgDomains.verifiedAt),
          sql`not exists (select 1 from ${orgDomains} as other where other.domain = ${domain} and other.verified_at is not null)`,
          sql`exists (select 1 from ${organizations} where ${organizations.id} = ${organizationId} and ${organizations.deletedAt} is null)`,
        ),
      )
      .returning(),
  ]);
  return verified[0];
}

export async function updateDomainPolicy(
  db: Database,
  target: { organizationId: string; id: string },
  fields: { policy?: DomainPolicy; defaultRole?: OrgRole },
): Promise<OrgDomainRow | undefined> {
  return db
    .update(orgDomains)
    .set(fields)
    .where(and(eq(orgDomains.id, target.id), eq(orgDomains.organizationId, target.organizationId)))
    .returning()
    .get();
}

export async function deleteDomain(db: Database, organizationId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(orgDomains)
    .where(and(eq(orgDomains.id, id), eq(orgDomains.organizationId, organizationId)))
    .returning({ id: orgDomains.id });
  return rows.length === 1;
}

/** Live organizations holding `domain` verified with one of `policies` (without those `notMemberId` is in). */
export async function findVerifiedDomainOrgs(
  db: Database,
  domain: string,
  policies: DomainPolicy[],
  notMemberId?: string,
): Promise<{ organization: OrganizationRow; domain: OrgDomainRow }[]> {
  return db
    .select({ organization: organizations, domain: orgDomains })
    .from(orgDomains)
    .innerJoin(organizations, eq(organizations.id, orgDomains.organizationId))
    .where(
      and(
        eq(orgDomains.domain, domain),
        isNotNull(orgDomains.verifiedAt),
        inArray(orgDomains.policy, policies),
        isNull(organizations.deletedAt),
        notMemberId === undefined
          ? sql`1 = 1`
          : sql`not exists (select 1 from ${memberships} where ${memberships.organizationId} = ${orgDomains.organizationId} and ${memberships.userId} = ${notMemberId})`,
      ),
    )
    .all();
}

/**
 * Makes the user a member (the domain's default role) of the live organization holding `domain`
 * verified with auto_join — only while the user's stored address is still `email`, verified, and the
 * account not disabled. An existing membership (a suspended one too) is left as it is.
 */
export async function joinByVerifiedDomain(
  db: Database,
  user: { id: string; email: string },
  domain: string,
  now: number,
): Promise<{ organizationId: string; role: OrgRole }[]> {
  const rows = await db
    .insert(memberships)
    .select(
      db
        .select({
          organizationId: orgDomains.organizationId,
          userId: sql<string>`${user.id}`.as("user_id"),
          role: orgDomains.defaultRole,
          status: sql<"active">`'active'`.as("status"),
          createdAt: sql<number>`${now}`.as("created_at"),
          updatedAt: sql<number>`${now}`.as("updated_at"),
        })
        .from(orgDomains)
        .innerJoin(organizations, eq(organizations.id, orgDomains.organizationId))
        .where(
          and(
            eq(orgDomains.domain, domain),
            isNotNull(orgDomains.verifiedAt),
            eq(orgDomains.policy, "auto_join"),
            isNull(organizations.deletedAt),
            sql`exists (select 1 from ${users} where ${users.id} = ${user.id} and ${users.email} = ${user.email} and ${users.emailVerified} = 1 and ${users.disabledAt} is null)`,
          ),
        ),
    )
    .onConflictDoNothing()
    .returning({ organizationId: memberships.organizationId, role: memberships.role });
  return rows;
}
