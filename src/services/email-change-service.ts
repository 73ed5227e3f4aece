// Changing the account's address: the password confirms the person, a code sent to the new
// address confirms the address. The switch happens only in verifyEmail, when that code comes back.

import { fail, type Result, succeed } from "../errors";
import type { RequestScope, ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { buildMailLink, sendMailLater, sendMailNow } from "./mail-delivery";
import { issueOneTimeCode } from "./one-time-codes";
import { passwordMatches } from "./reauthentication";
import type { AuthenticatedCaller } from "./token-verification";

export async function requestEmailChange(
  context: ServiceContext,
  scope: RequestScope,
  caller: AuthenticatedCaller,
  input: { newEmail: string; password: string },
): Promise<Result<{ requestId: string }>> {
  const { user } = caller;
  if (!(await passwordMatches(context, user, input.password))) {
    return fail("invalid_credentials", { reason: "wrong password on email change" });
  }
  const newEmail = normalizeEmail(input.newEmail);
  if (!newEmail)
    return fail("invalid_request", { issues: [{ field: "new_email", message: "is not a valid email address" }] });
  if (newEmail === user.email) {
    return fail("invalid_request", { issues: [{ field: "new_email", message: "is the current address" }] });
  }
  // Whether the new address is registered is not revealed here; the switch refuses it later.
  const issued = await issueOneTimeCode(context, { userId: user.id, purpose: "change_email", target: newEmail });
  const sent = await sendMailNow(context, newEmail, {
    kind: "email_change_code",
    code: issued.code,
    link: buildMailLink(context.config.links.verifyEmail, issued.linkToken),
    expiresInMinutes: issued.expiresInMinutes,
    newEmail,
  });
  if (!sent.ok) return sent;
  sendMailLater(context, scope, user.email, { kind: "email_change_notice", newEmail });
  return succeed({ requestId: issued.requestId });
}
