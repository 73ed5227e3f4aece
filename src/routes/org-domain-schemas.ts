// Request and response schemas of the organization email-domain routes and the suggestions list; the
// same objects validate requests and generate /openapi.json (src/routes/openapi.ts).

import * as z from "zod";

export const OrgDomainParam = z.object({ id: z.string().uuid(), domainId: z.string().uuid() });

const Policy = z.enum(["auto_join", "suggest", "restrict"]).meta({
  description: "auto_join: verified addresses join; suggest: they are shown it; restrict: sign-up allowlist.",
});
const DefaultRole = z
  .enum(["admin", "member"])
  .meta({ description: "The role auto_join grants (never owner; an admin may grant at most admin)." });

export const OrgDomainAddBody = z
  .strictObject({
    domain: z
      .string()
      .min(3)
      .max(253)
      .meta({ examples: ["acme.com"], description: "Internationalized names are stored in punycode." }),
    policy: Policy.optional(),
    default_role: DefaultRole.optional(),
  })
  .meta({ id: "OrgDomainAddRequest" });

export const OrgDomainUpdateBody = z
  .strictObject({ policy: Policy.optional(), default_role: DefaultRole.optional() })
  .refine((value) => Object.keys(value).length > 0, "name at least one field")
  .meta({ id: "OrgDomainUpdateRequest" });

export const OrgDomain = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    domain: z.string(),
    policy: Policy,
    default_role: z.enum(["owner", "admin", "member"]),
    verified: z.boolean(),
    verified_at: z.string().nullable(),
    verification: z.object({
      type: z.literal("TXT"),
      name: z.string().meta({ examples: ["_edge-auth.acme.com"] }),
      value: z.string().meta({ examples: ["edge-auth-verify=…"] }),
    }),
    created_at: z.string(),
  })
  .meta({ id: "OrgDomain" });

export const OrgDomainList = z.object({ domains: z.array(OrgDomain) }).meta({ id: "OrgDomainList" });

export const OrgSuggestionList = z
  .object({
    suggestions: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string(), domain: z.string() })),
  })
  .meta({ id: "OrgSuggestionList" });
