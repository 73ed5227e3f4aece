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

/**
 * One-time codes and mail links (email verification, password reset, email change). The record,
 * its attempts and its consumption live together so one UPDATE … RETURNING decides each guess.
 */
export const oneTimeCodes = sqliteTable(
  "one_time_codes",
  {
    /** The `otp_request_id` handed to the client; not a secret. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify_email", "reset_password", "change_email"] }).notNull(),
    /** The address the code was sent to (the new address for an email change). */
    target: text("target").notNull(),
    /** HMAC-SHA256(OTP_SECRET, id + code). */
    codeHash: text("code_hash").notNull(),
    /** HMAC-SHA256(OTP_SECRET, link token); unique, so a link names one record. */
    linkHash: text("link_hash").notNull().unique(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    /** Set when a newer code for the same user and purpose replaced this one. */
    supersededAt: integer("superseded_at"),
  },
  (table) => [index("one_time_codes_user_purpose_idx").on(table.userId, table.purpose)],
);

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type OneTimeCodeRow = typeof oneTimeCodes.$inferSelect;
