// The accounts part of the D1 schema (src/storage/schema.ts gathers every part): users, their
// sessions and refresh tokens, one-time codes, second factors, login and code failures, external
// identities. Times are Unix seconds.

import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
// Sessions name the organization they are scoped to; organizations name their members: the two parts
// import each other, which is safe because drizzle reads a reference only when it builds a query.
import { organizations } from "./schema-orgs";

export const users = sqliteTable(
  "users",
  {
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
    /** E.164 when set through POST /v1/phone; `phoneVerified` once its SMS code came back. */
    phone: text("phone"),
    phoneVerified: integer("phone_verified", { mode: "boolean" }).notNull().default(false),
    /** The user chose SMS codes as a second factor (needs a verified phone). */
    smsMfaEnabled: integer("sms_mfa_enabled", { mode: "boolean" }).notNull().default(false),
    address: text("address"),
    disabledAt: integer("disabled_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** The old server's user id for an imported account, as text (an integer one in decimal); unique when set. */
    legacyId: text("legacy_id"),
    /** SHA-256 of the imported row, without any plaintext password or TOTP secret: a re-import is "unchanged". */
    importDigest: text("import_digest"),
  },
  // The admin API's listing by creation time (newest first, then id).
  (table) => [
    index("users_created_at_idx").on(table.createdAt, table.id),
    uniqueIndex("users_legacy_id_idx").on(table.legacyId).where(sql`${table.legacyId} is not null`),
  ],
);

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
    /** The organization this session's access tokens are scoped to (POST /v1/session/org); null: none. */
    activeOrganizationId: text("active_organization_id").references(() => organizations.id, { onDelete: "set null" }),
  },
  (table) => [
    index("sessions_user_id_idx").on(table.userId),
    index("sessions_active_organization_idx").on(table.activeOrganizationId, table.userId),
  ],
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
    purpose: text("purpose", {
      enum: ["verify_email", "reset_password", "set_password", "change_email", "verify_phone", "mfa_sms"],
    }).notNull(),
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
    /** Set when a newer code for the same user and purpose replaced this one, or an event voided it. */
    supersededAt: integer("superseded_at"),
    /**
     * For an email change: the session that asked for it. The code is redeemable only while that
     * session is live, so ending the session (logout, reset, "log out everywhere") ends the change.
     */
    sessionId: text("session_id").references(() => sessions.id, { onDelete: "cascade" }),
  },
  (table) => [
    index("one_time_codes_user_purpose_idx").on(table.userId, table.purpose),
    // Deleting a session cascades to its email-change codes: without this, a scan per session.
    index("one_time_codes_session_id_idx").on(table.sessionId),
  ],
);

/** A user's TOTP factor (RFC 6238). The secret is AES-GCM encrypted with TOTP_ENCRYPTION_KEY. */
export const totpFactors = sqliteTable("totp_factors", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretCiphertext: text("secret_ciphertext").notNull(),
  /** Null while enrolment awaits its first code. */
  confirmedAt: integer("confirmed_at"),
  /** The last accepted time step: a code for this step or an earlier one is a replay. */
  lastUsedStep: integer("last_used_step"),
  failedAttempts: integer("failed_attempts").notNull().default(0),
  lockedUntil: integer("locked_until"),
  createdAt: integer("created_at").notNull(),
});

/** Recovery codes, stored only as keyed hashes; each works once. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull().unique(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("recovery_codes_user_id_idx").on(table.userId)],
);

/** A login that passed the password and waits for a second factor; the token is stored hashed. */
export const mfaChallenges = sqliteTable(
  "mfa_challenges",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** JSON array of the factors that may finish it, e.g. ["totp","recovery_code","sms"]. */
    methods: text("methods").notNull(),
    /** JSON array of the methods already used (copied into the session's amr). */
    amr: text("amr").notNull(),
    /** The shape of the session the challenge opens when it is met (see sessions.rotates_refresh_token). */
    rotatesRefreshToken: integer("rotates_refresh_token", { mode: "boolean" }).notNull().default(true),
    attempts: integer("attempts").notNull().default(0),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    /** The organization chosen in a sign-in flow (sign_in_flows): the session it opens starts scoped to it. */
    organizationId: text("organization_id"),
  },
  (table) => [index("mfa_challenges_user_id_idx").on(table.userId)],
);

/**
 * Failed logins per identifier (a keyed hash of the normalized email or username), known or not,
 * so a lock answers the same for accounts that exist and accounts that do not.
 */
export const loginFailures = sqliteTable("login_failures", {
  identifierHash: text("identifier_hash").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lockedUntil: integer("locked_until"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The ways an account signs in besides its password: one row per external identity (a Google or
 * GitHub account, an OIDC subject), keyed by provider and the provider's stable subject, never by an
 * email address (which providers let users change). An account may hold several.
 */
export const identities = sqliteTable(
  "identities",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** e.g. "google", "github", "apple", "microsoft", or a configured OIDC provider's name. */
    provider: text("provider").notNull(),
    /** The provider's stable id for the person (OIDC `sub`, GitHub's numeric id, Entra's tid:oid). */
    subject: text("subject").notNull(),
    /** The address the provider reported at the last sign-in, and whether it said it was verified. */
    email: text("email"),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (table) => [
    uniqueIndex("identities_provider_subject_idx").on(table.provider, table.subject),
    index("identities_user_id_idx").on(table.userId),
  ],
);

/**
 * Wrong-guess budget per account and code purpose: survives reissued codes (each new code has fresh
 * attempts, this does not), so asking for code after code buys no extra guesses. One row per pair.
 */
export const codeFailures = sqliteTable(
  "code_failures",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose").notNull(),
    /** Guesses counted since the window opened (each admitted guess counts; a right one deletes the row). */
    failures: integer("failures").notNull().default(0),
    windowStartedAt: integer("window_started_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.purpose] })],
);

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type OneTimeCodeRow = typeof oneTimeCodes.$inferSelect;
export type TotpFactorRow = typeof totpFactors.$inferSelect;
export type RecoveryCodeRow = typeof recoveryCodes.$inferSelect;
export type MfaChallengeRow = typeof mfaChallenges.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
