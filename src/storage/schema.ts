// The D1 schema as code. drizzle-kit generates the SQL in migrations/ from this file; docs/storage.md
// explains each table. Times are Unix seconds.

import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Normalized (NFKC, lower case): the unique key, and the address mail is sent to. */
  email: text("email").notNull().unique(),
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
  /** Lower case; optional second login name. */
  username: text("username").unique(),
  /** PHC string; null for accounts that have not set a password yet. */
  passwordHash: text("password_hash"),
  name: text("name"),
  firstName: text("first_name"),
  lastName: text("last_name"),
  phone: text("phone"),
  address: text("address"),
  disabledAt: integer("disabled_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** The `sid` claim of every access token issued for this session. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** false for sessions whose refresh token stays the same (a dialect's need); true by default. */
    rotatesRefreshToken: integer("rotates_refresh_token", { mode: "boolean" }).notNull().default(true),
    /** JSON array of RFC 8176 method references, copied into each access token's `amr`. */
    amr: text("amr").notNull().default(sql`'["pwd"]'`),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
  },
  (table) => [index("sessions_user_id_idx").on(table.userId)],
);

/** Every refresh token a session has had: the family. Only SHA-256 hashes are stored. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    generation: integer("generation").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Set once, by the one refresh that wins the rotation. */
    rotatedAt: integer("rotated_at"),
    successorHash: text("successor_hash"),
    /** Random nonce from which the successor is re-derived with the old token (grace window). */
    successorNonce: text("successor_nonce"),
  },
  (table) => [index("refresh_tokens_session_id_idx").on(table.sessionId)],
);

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
