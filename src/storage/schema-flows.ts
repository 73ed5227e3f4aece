import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./schema-accounts";

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
