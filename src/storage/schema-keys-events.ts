// API keys and the security event log, in the D1 schema (src/storage/schema.ts gathers every part).
// Times are Unix seconds.

import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./schema-accounts";
import { organizations } from "./schema-orgs";

/**
 * API keys for server-side clients (src/services/api-key-service.ts). The secret is stored only as
 * HMAC-SHA256(API_KEY_SECRET, key); `prefix` is its first characters, for display. A rolled key names
 * its successor and stays usable until `grace_ends_at`; the successor names it as `predecessor_id`.
 * A key is owned by exactly one user or one organization (the CHECK): a user's key dies with the
 * account; an organization's outlives the member who made it (`created_by` is then null).
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    /** The owning user, for a user's key. */
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    /** The owning organization, for an organization's key. */
    organizationId: text("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    /** Who made the key (for an organization's key, the member; null once their account is deleted). */
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    /** JSON array of scopes (src/services/api-key-scopes.ts). */
    scopes: text("scopes").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    /** Written at most once per few minutes (a conditional UPDATE after the response). */
    lastUsedAt: integer("last_used_at"),
    predecessorId: text("predecessor_id"),
    successorId: text("successor_id"),
    /** Set when rolled: the key works until then, its successor from the roll on. */
    graceEndsAt: integer("grace_ends_at"),
  },
  (table) => [
    index("api_keys_user_id_idx").on(table.userId),
    index("api_keys_organization_id_idx").on(table.organizationId).where(sql`${table.organizationId} is not null`),
    index("api_keys_created_by_idx").on(table.createdBy).where(sql`${table.createdBy} is not null`),
    check("api_keys_one_owner", sql`(${table.userId} is null) <> (${table.organizationId} is null)`),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * The security event log (src/services/security-events.ts): append-only, one row per security-relevant
 * action. No foreign keys: an event outlives the account, key or organization it names until the
 * retention period (SECURITY_EVENT_RETENTION_DAYS) deletes it. Never a secret: ids, a reason class,
 * the client's IP and (truncated) user agent, and `detail`, a small JSON object of non-secret facts.
 */
export const securityEvents = sqliteTable(
  "security_events",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
    type: text("type").notNull(),
    subjectUserId: text("subject_user_id"),
    actorUserId: text("actor_user_id"),
    actorKeyId: text("actor_key_id"),
    orgId: text("org_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    detail: text("detail").notNull(),
  },
  (table) => [
    index("security_events_subject_idx").on(table.subjectUserId, table.createdAt, table.id),
    index("security_events_org_idx").on(table.orgId, table.createdAt, table.id),
    index("security_events_created_at_idx").on(table.createdAt, table.id),
  ],
);

export type SecurityEventRow = typeof securityEvents.$inferSelect;
