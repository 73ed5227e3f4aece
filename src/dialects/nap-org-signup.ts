// NAP's sign-up with organizations (../shared/DIALECTS.md C): an inviteToken decides the organization
// and the role (invitation-signup.ts: consumed once, for the invited address only); without one,
// when DIALECT_NAP_ORGS_REQUIRED is on, only an address at a domain an organization verified may sign
// up. Either refusal is the swagger's 401 ("Invalid Invite Token or Missing Invite Token or Domain
// Not Allowed") in NAP's error shape.

import type { Context } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { logRefusal } from "../routes/http/problem";
import { requestScope } from "../routes/http/request-scope";
import { signUpWithInvitation } from "../services/invitation-signup";
import { signUpAllowedForDomain } from "../services/org-domain-join";
import type { SignUpInput } from "../services/signup-service";
import { napErrorBody } from "./nap-errors";

/** The swagger's 401: "Invalid Invite Token or Missing Invite Token or Domain Not Allowed". */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

const refused = (c: Context<AppEnv>, reason: string) => {
  logRefusal({ code: "invalid_invitation", reason });
  const body = napErrorBody(
    401,
    "Invalid or missing invite token, or this email domain is not allowed.",
    "sign-up refused",
  );
  return c.json(body, 401, NO_STORE);
};

/** The answer when organizations decide this sign-up; undefined for the plain one (nap.ts). */
export async function napOrgSignUp(
  c: Context<AppEnv>,
  input: SignUpInput,
  inviteToken: string | undefined,
): Promise<Response | undefined> {
  const services = c.get("services");
  if (inviteToken) {
    const result = await signUpWithInvitation(services, input, inviteToken, requestScope(c));
    if (!result.ok && result.error.code === "invalid_invitation") return refused(c, "invitation not consumed");
    if (!result.ok) throw new AppError(result.error);
    // The invitation was mailed to this address: the account starts verified and may log in now.
    return c.json({ userId: result.value.user.id, message: "Signup successful; you can log in now." }, 200, NO_STORE);
  }
  if (services.config.dialectPolicy.napOrgsRequired && !(await signUpAllowedForDomain(services, input.email))) {
    return refused(c, "no invitation and no allowed domain");
  }
  return undefined;
}
