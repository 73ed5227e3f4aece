// The drizzle handle over the D1 binding, and the one place D1 errors are classified.

import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDatabase>;

/**
 * A statement built but not yet run, for a store to commit in the same `db.batch` as its own writes:
 * one round trip and one transaction (each D1 call is a round trip; a batch is all or nothing).
 */
export type PendingWrite = BatchItem<"sqlite">;

export function createDatabase(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** Names the unique index a failed insert hit, e.g. "users.email", or null for other errors. */
export function uniqueViolation(error: unknown): string | null {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const match = /UNIQUE constraint failed: ([\w.]+)/.exec(current.message);
    if (match?.[1]) return match[1];
  }
  return null;
}
