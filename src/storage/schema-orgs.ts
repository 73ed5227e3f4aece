// The organizations part of the D1 schema (src/storage/schema.ts gathers every part): tenants, their
// members, invitations and email domains. Times are Unix seconds.

import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema-accounts";

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
