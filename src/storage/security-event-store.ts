// Reads and writes of the security event log. Append-only: one INSERT per event, never an UPDATE;
// rows leave only through retention (src/storage/retention-store.ts). Pages are keyset-paged on
// (created_at, id) through an index that starts with the subject (or the organization), so a page
// costs the same however long the history.

import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "./database";
import { type SecurityEventRow, securityEvents } from "./schema";

export type NewSecurityEventRow = typeof securityEvents.$inferInsert;

/** Where a page starts: strictly older than this (created_at, id). */
export interface EventPosition {
  createdAt: number;
  id: string;
}

export interface EventQuery {
  subjectUserId?: string;
  orgId?: string;
  after?: EventPosition;
  limit: number;
}

export async function insertSecurityEvent(db: Database, row: NewSecurityEventRow): Promise<void> {
  await db.insert(securityEvents).values(row).run();
}

/**
 * Newest first: the subject's events, the organization's, or (neither given) everyone's, at most
 * `limit` rows older than `after`. Both filters given: the subject's events in that organization.
 */
export async function listSecurityEventRows(db: Database, query: EventQuery): Promise<SecurityEventRow[]> {
  const conditions: SQL[] = [];
  if (query.subjectUserId !== undefined) conditions.push(eq(securityEvents.subjectUserId, query.subjectUserId));
  if (query.orgId !== undefined) conditions.push(eq(securityEvents.orgId, query.orgId));
  if (query.after) {
    // A row value comparison: SQLite walks the (…, created_at, id) index from the position on.
    conditions.push(
      sql`(${securityEvents.createdAt}, ${securityEvents.id}) < (${query.after.createdAt}, ${query.after.id})`,
    );
  }
  return db
    .select()
    .from(securityEvents)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(query.limit)
    .all();
}
