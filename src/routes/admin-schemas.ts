// Request and response schemas of the admin API (/v1/admin/…); the same objects validate requests and
// generate /openapi.json (src/routes/admin-openapi.ts).

import * as z from "zod";
import { MAX_USER_PAGE_SIZE } from "../services/admin-user-service";
import { ORG_ROLES } from "../services/org-permissions";
import { ApiKey } from "./api-key-schemas";
import { User } from "./schemas";

/** An RFC 3339 time with its offset, as Unix seconds. */
const time = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((text) => Math.floor(Date.parse(text) / 1000))
    .meta({ description, examples: ["2026-01-31T00:00:00Z"] });

export const AdminUserQuery = z.strictObject({
  email: z.string().max(320).optional().meta({ description: "Exact address (normalized as sign-up does)." }),
  id: z.string().min(1).max(64).optional(),
  created_after: time("Only users created after this time.").optional(),
  created_before: time("Only users created before this time.").optional(),
  cursor: z.string().max(200).optional().meta({ description: "`next_cursor` of the previous page." }),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_USER_PAGE_SIZE))
    .optional()
    .meta({ description: `Users per page, 1–${MAX_USER_PAGE_SIZE} (default 50).` }),
});

/** Ids are UUIDs; anything far longer names no user. */
export const AdminUserIdParam = z.object({ id: z.string().min(1).max(64) });

/** The admin actions take no input: an empty body (or none) only. */
export const AdminActionBody = z.strictObject({}).meta({ id: "AdminActionRequest" });

export const AdminUser = User.extend({
  disabled: z.boolean(),
  has_password: z.boolean(),
  sms_mfa_enabled: z.boolean(),
}).meta({ id: "AdminUser" });

export const AdminUserList = z
  .object({
    users: z.array(AdminUser),
    next_cursor: z.string().nullable().meta({ description: "Absent (null) on the last page." }),
  })
  .meta({ id: "AdminUserList" });

const nullableTime = z.string().nullable();

export const AdminUserDetail = z
  .object({
    user: AdminUser,
    sessions: z.array(
      z.object({
        id: z.string(),
        created_at: z.string(),
        last_used_at: z.string(),
        expires_at: z.string(),
        user_agent: z.string().nullable(),
        ip: z.string().nullable(),
        amr: z.array(z.string()),
      }),
    ),
    identities: z.array(
      z.object({
        id: z.string(),
        provider: z.string(),
        subject: z.string(),
        email: z.string().nullable(),
        email_verified: z.boolean(),
        created_at: z.string(),
        last_used_at: nullableTime,
      }),
    ),
    factors: z.object({
      totp: z
        .object({
          confirmed: z.boolean(),
          created_at: z.string(),
          confirmed_at: nullableTime,
          locked_until: nullableTime,
        })
        .nullable(),
      recovery_codes_remaining: z.number().int(),
      sms_sign_in: z.boolean(),
    }),
    api_keys: z.array(ApiKey),
  })
  .meta({ id: "AdminUserDetail", description: "Metadata only: never a hash, secret or code." });

export const AdminSessionsEnded = z.object({ sessions_revoked: z.number().int() }).meta({ id: "AdminSessionsEnded" });

export const AdminMfaReset = z
  .object({
    totp_removed: z.boolean(),
    recovery_codes_removed: z.number().int(),
    sms_sign_in_was_on: z.boolean(),
    challenges_ended: z.number().int(),
  })
  .meta({ id: "AdminMfaReset" });

/** PUT /v1/admin/users/{id}/orgs/{orgId}/role. */
export const AdminOrgRoleBody = z.strictObject({ role: z.enum(ORG_ROLES) }).meta({ id: "AdminOrgRoleRequest" });

export const AdminMembership = z
  .object({ organization_id: z.string(), user_id: z.string(), role: z.enum(ORG_ROLES), status: z.string() })
  .meta({ id: "AdminMembership" });
