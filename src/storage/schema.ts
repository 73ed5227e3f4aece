// The D1 schema as code. drizzle-kit generates the SQL in migrations/ from this file; docs/storage.md
// explains each table. Times are Unix seconds.

import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type OneTimeCodeRow = typeof oneTimeCodes.$inferSelect;
export type TotpFactorRow = typeof totpFactors.$inferSelect;
export type RecoveryCodeRow = typeof recoveryCodes.$inferSelect;
export type MfaChallengeRow = typeof mfaChallenges.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
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

/** Tenants (src/services/org-service.ts). A slug is unique among organizations not deleted. */
export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    /** A small JSON object of the organization's own settings. */
    settings: text("settings").notNull().default("{}"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Soft delete: a deleted organization counts nowhere (membership, tokens, invitations). */
    deletedAt: integer("deleted_at"),
  },
  (table) => [uniqueIndex("organizations_live_slug_idx").on(table.slug).where(sql`deleted_at IS NULL`)],
);

/** One row per member; roles and what each may do: src/services/org-permissions.ts. */
export const memberships = sqliteTable(
  "memberships",
  {
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["owner", "admin", "member"] }).notNull(),
    status: text("status", { enum: ["active", "suspended"] })
      .notNull()
      .default("active"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.organizationId, table.userId] }),
    index("memberships_user_id_idx").on(table.userId),
  ],
);

/** Invitations by email; the token (link and code) is stored only as its SHA-256. 7 days, once. */
export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Normalized like users.email. */
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "admin", "member"] }).notNull(),
    inviterUserId: text("inviter_user_id").references(() => users.id, { onDelete: "set null" }),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    acceptedByUserId: text("accepted_by_user_id").references(() => users.id, { onDelete: "set null" }),
    revokedAt: integer("revoked_at"),
  },
  (table) => [index("invitations_organization_email_idx").on(table.organizationId, table.email)],
);

/** Email domains an organization claims; a domain is unique among verified claims. */
export const orgDomains = sqliteTable(
  "org_domains",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    domain: text("domain").notNull(),
    /** The value expected in the DNS TXT record; not a secret. */
    verificationToken: text("verification_token").notNull(),
    verifiedAt: integer("verified_at"),
    policy: text("policy", { enum: ["auto_join", "suggest", "restrict"] })
      .notNull()
      .default("suggest"),
    defaultRole: text("default_role", { enum: ["owner", "admin", "member"] })
      .notNull()
      .default("member"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("org_domains_verified_domain_idx").on(table.domain).where(sql`verified_at IS NOT NULL`),
    uniqueIndex("org_domains_organization_domain_idx").on(table.organizationId, table.domain),
  ],
);

export type OrganizationRow = typeof organizations.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type OrgDomainRow = typeof orgDomains.$inferSelect;

/**
 * A social-login redirect flow in progress (GET /v1/oauth/{provider}/authorize until its callback):
 * the state and the browser-binding cookie stored only as SHA-256, our PKCE verifier and the nonce
 * (sent to the provider at the callback, so kept as they are, for ten minutes), where to send the
 * browser, and the SPA's own PKCE challenge. Consumed once, by one UPDATE … RETURNING.
 */
export const oauthFlows = sqliteTable(
  "oauth_flows",
  {
    id: text("id").primaryKey(),
    stateHash: text("state_hash").notNull().unique(),
    provider: text("provider").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    nonce: text("nonce").notNull(),
    redirectTo: text("redirect_to").notNull(),
    clientCodeChallenge: text("client_code_challenge").notNull(),
    browserHash: text("browser_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
  },
  (table) => [index("oauth_flows_expires_at_idx").on(table.expiresAt)],
);

/** The one-time code a social login's callback hands the SPA (256 bits; stored as SHA-256; 5 minutes). */
export const oauthSignInCodes = sqliteTable(
  "oauth_sign_in_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    /** The SPA's S256 challenge from the authorize request; the exchange must bring its verifier. */
    codeChallenge: text("code_challenge").notNull(),
    redirectTo: text("redirect_to").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
  },
  (table) => [
    index("oauth_sign_in_codes_user_id_idx").on(table.userId),
    index("oauth_sign_in_codes_expires_at_idx").on(table.expiresAt),
  ],
);

export type OAuthFlowRow = typeof oauthFlows.$inferSelect;
export type OAuthSignInCodeRow = typeof oauthSignInCodes.$inferSelect;

/**
 * Sign-in flows (src/services/sign-in-flow-service.ts): a login past its first factor with an
 * organization still to choose (and maybe a second factor after it). 256-bit id stored as SHA-256.
 */
export const signInFlows = sqliteTable(
  "sign_in_flows",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** JSON array of what is still due: ["org"] or ["org","mfa"]. */
    due: text("due").notNull(),
    /** JSON array of the second factors the MFA step will offer (empty without one). */
    mfaMethods: text("mfa_methods").notNull().default("[]"),
    /** JSON array of the methods already used (copied into the session's amr). */
    amr: text("amr").notNull(),
    rotatesRefreshToken: integer("rotates_refresh_token", { mode: "boolean" }).notNull().default(true),
    /** A client's own note (NAP's flowReturnTo), handed back with the flow; never followed here. */
    returnTo: text("return_to"),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    /** The organization chosen when the flow was consumed. */
    organizationId: text("organization_id"),
  },
  (table) => [index("sign_in_flows_user_id_idx").on(table.userId)],
);

export type SignInFlowRow = typeof signInFlows.$inferSelect;
