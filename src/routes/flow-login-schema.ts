// The login answer for a user with several organizations (a sign-in flow), apart from the other flow
// schemas so that LoginResponse (mfa-schemas.ts) can name it without an import cycle.

import * as z from "zod";

export const FlowOrganization = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    role: z.enum(["owner", "admin", "member"]).meta({ description: "The user's role in it." }),
  })
  .meta({ id: "FlowOrganization" });

export const SignInFlowStarted = z
  .object({
    flow_id: z
      .string()
      .meta({ description: "The flow's id (256 random bits): a secret handle, 10 minutes, single use." }),
    due: z.array(z.enum(["org", "mfa"])).meta({ description: "What is still due, in order: org, then mfa if any." }),
    orgs: z.array(FlowOrganization),
    expires_in: z.number().int().meta({ description: "Seconds the flow stays usable." }),
  })
  .meta({
    id: "SignInFlowStarted",
    description:
      "The password was right and the user belongs to several organizations: choose one with POST /v1/flows/{id}/org. No session exists yet.",
  });
