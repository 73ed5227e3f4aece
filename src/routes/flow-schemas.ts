// Request and response schemas of the sign-in flow routes (GET /v1/flows/{id}, POST /v1/flows/{id}/org).

import * as z from "zod";
import { FlowOrganization } from "./flow-login-schema";
import { MfaRequired } from "./mfa-schemas";
import { TokenResponse } from "./schemas";

/** A flow id is 43 base64url characters; the bound only keeps junk out (it names nothing then). */
export const FlowIdParam = z.object({ id: z.string().min(1).max(128) });

export const FlowOrgBody = z
  .strictObject({ org: z.string().uuid().meta({ description: "The id of one of the flow's organizations." }) })
  .meta({ id: "FlowOrgRequest" });

export const SignInFlow = z
  .object({
    due: z.array(z.enum(["org", "mfa"])),
    orgs: z.array(FlowOrganization).meta({ description: "Read now: a suspended or deleted one is gone." }),
    return_to: z.string().nullable().meta({ description: "The note the login brought (NAP's flowReturnTo)." }),
    created_at: z.string(),
    expires_at: z.string(),
  })
  .meta({ id: "SignInFlow" });

export const FlowOrgResponse = z
  .union([TokenResponse, MfaRequired])
  .meta({ id: "FlowOrgResponse", description: "Tokens scoped to the organization, or the MFA step still due." });
