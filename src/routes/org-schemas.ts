// Request and response schemas of the organization routes; the same objects validate requests and
// generate /openapi.json (src/routes/openapi.ts).

import * as z from "zod";
import { ORG_ROLES } from "../services/org-permissions";

export const OrgIdParam = z.object({ id: z.string().uuid() });
export const OrgMemberParam = z.object({ id: z.string().uuid(), userId: z.string().uuid() });
export const OrgInvitationParam = z.object({ id: z.string().uuid(), invitationId: z.string().uuid() });

const Slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, "lower-case letters, digits and inner dashes, 1–48")
  .meta({ examples: ["acme"] });
const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .meta({ examples: ["Acme Inc."] });
const Settings = z
  .record(z.string().min(1).max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 32, "at most 32 settings")
  .meta({ description: "Up to 32 flat settings of the organization's own (strings, numbers, booleans)." });
const Role = z.enum(ORG_ROLES);

export const OrgCreateBody = z
  .strictObject({ slug: Slug, name: Name, settings: Settings.optional() })
  .meta({ id: "OrgCreateRequest" });

export const OrgUpdateBody = z
  .strictObject({ slug: Slug.optional(), name: Name.optional(), settings: Settings.optional() })
  .refine((value) => Object.keys(value).length > 0, "name at least one field")
  .meta({ id: "OrgUpdateRequest" });

export const OrgRoleBody = z.strictObject({ role: Role }).meta({ id: "OrgRoleRequest" });

/** PATCH /v1/orgs/{id}/members/{userId}: a new role, or a new status (suspend, reactivate); one of them. */
export const OrgMemberPatchBody = z
  .strictObject({ role: Role.optional(), status: z.enum(["active", "suspended"]).optional() })
  .refine((value) => (value.role === undefined) !== (value.status === undefined), "send role or status (one)")
  .meta({ id: "OrgMemberUpdateRequest" });

export const OrgInviteBody = z
  .strictObject({ email: z.string().min(3).max(254), role: Role.default("member") })
  .meta({ id: "OrgInviteRequest" });

export const InvitationAcceptBody = z
  .strictObject({ token: z.string().min(1).max(512).meta({ description: "The code or link token of the mail." }) })
  .meta({ id: "InvitationAcceptRequest" });

export const SessionOrgBody = z
  .strictObject({ org: z.string().uuid().meta({ description: "The organization's id." }) })
  .meta({ id: "SessionOrgRequest" });

export const Organization = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    settings: z.record(z.string(), z.unknown()),
    role: Role.meta({ description: "The caller's role in it." }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Organization" });

export const OrganizationList = z.object({ organizations: z.array(Organization) }).meta({ id: "OrganizationList" });

export const OrgMember = z
  .object({
    user_id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: Role,
    status: z.enum(["active", "suspended"]),
    created_at: z.string(),
  })
  .meta({ id: "OrgMember" });

export const OrgMemberList = z.object({ members: z.array(OrgMember) }).meta({ id: "OrgMemberList" });

export const Invitation = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    email: z.string(),
    role: Role,
    created_at: z.string(),
    expires_at: z.string(),
  })
  .meta({ id: "Invitation" });

export const InvitationList = z.object({ invitations: z.array(Invitation) }).meta({ id: "InvitationList" });

export const ScopedTokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
    org: z.string(),
    role: Role,
    org_slug: z.string(),
  })
  .meta({ id: "ScopedTokenResponse" });

export const InvitationAccepted = z
  .object({ organization_id: z.string(), role: Role })
  .meta({ id: "InvitationAccepted" });

export const OrgRoleChanged = z
  .object({ user_id: z.string(), role: Role, status: z.enum(["active", "suspended"]) })
  .meta({ id: "OrgRoleChanged" });
