// Reads of the user export (src/services/user-export.ts): one page of users oldest first, keyset-paged
// by (created_at, id) on users_created_at_idx, and for exactly that page their identities, TOTP
// state and unused recovery-code counts, in ONE batch of four statements however large the page
// (D1 binds at most 100 parameters, so the page's ids are never bound one by one: the three side
// reads select the same page again as a subquery). One batch is one snapshot: no user of the page
// misses their identities because they were linked between two reads. Secrets are never selected.

import { and, count, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "./database";
import { identities, recoveryCodes, totpFactors, type UserRow, users } from "./schema";

export interface ExportPosition {
  createdAt: number;
  id: string;
}

/** Before every user: created_at is Unix seconds (never negative), ids are non-empty. */
const START: ExportPosition = { createdAt: -1, id: "" };

export interface ExportIdentity {
  userId: string;
  provider: string;
  subject: string;
  email: string | null;
}

export interface ExportPageRows {
  users: UserRow[];
  identities: ExportIdentity[];
  /** Users whose TOTP factor is confirmed (an enrolment awaiting its first code is no factor). */
  totpUserIds: Set<string>;
  unusedRecoveryCodes: Map<string, number>;
}

/**
 * Up to `limit` users strictly after `after` (or from the first), oldest first, with what belongs to
 * them. A row-value comparison keeps the plan an index SEARCH from the first page on.
 */
export async function readExportPage(
  db: Database,
  after: ExportPosition | undefined,
  limit: number,
): Promise<ExportPageRows> {
  const from = after ?? START;
  const pageCondition = sql`(${users.createdAt}, ${users.id}) > (${from.createdAt}, ${from.id})`;
  const pageIds = db
    .select({ id: users.id })
    .from(users)
    .where(pageCondition)
    .orderBy(users.createdAt, users.id)
    .limit(limit);
  const [userRows, identityRows, totpRows, recoveryRows] = await db.batch([
    db.select().from(users).where(pageCondition).orderBy(users.createdAt, users.id).limit(limit),
    db
      .select({
        userId: identities.userId,
        provider: identities.provider,
        subject: identities.subject,
        email: identities.email,
      })
      .from(identities)
      .where(inArray(identities.userId, pageIds))
      .orderBy(identities.userId, identities.provider, identities.subject),
    db
      .select({ userId: totpFactors.userId, confirmedAt: totpFactors.confirmedAt })
      .from(totpFactors)
      .where(inArray(totpFactors.userId, pageIds)),
    db
      .select({ userId: recoveryCodes.userId, unused: count() })
      .from(recoveryCodes)
      .where(and(inArray(recoveryCodes.userId, pageIds), isNull(recoveryCodes.usedAt)))
      .groupBy(recoveryCodes.userId),
  ]);
  return {
    users: userRows,
    identities: identityRows,
    totpUserIds: new Set(totpRows.filter((row) => row.confirmedAt !== null).map((row) => row.userId)),
    unusedRecoveryCodes: new Map(recoveryRows.map((row) => [row.userId, row.unused])),
  };
}
