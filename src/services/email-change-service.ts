// Changing the account's address: the password confirms the person, a code sent to the new
// address confirms the address. The switch happens only in verifyEmail, when that code comes back,
// and only while the session that asked is still live: ending it (logout, a password reset or
// change, "log out everywhere", disabling) ends the change, and those events also void its code.

import { fail, type Result, succeed } from "../errors";
import { admitSubject } from "./abuse-limits";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { buildMailLink, sendMailLater, sendMailNow } from "./mail-delivery";
import { issueOneTimeCode } from "./one-time-codes";
import { recheckPassword } from "./reauthentication";
import type { AuthenticatedCaller } from "./token-verification";

export async function requestEmailChange(
  context: ServiceContext,
  scope: RequestScope,
  client: ClientInfo,
  caller: AuthenticatedCaller,
  input: { newEmail: string; password: string },
): Promise<Result<{ requestId: string }>> {
  const { user } = caller;
  const rechecked = await recheckPassword(context, client, user.id, input.password, "email change", scope);
  if (!rechecked.ok) return rechecked;
  const newEmail = normalizeEmail(input.newEmail);
  if (!newEmail)
    return fail("invalid_request", { issues: [{ field: "newEmail", message: "is not a valid email address" }] });
  if (newEmail === user.email) {
    return fail("invalid_request", { issues: [{ field: "newEmail", message: "is the current address" }] });
  }
  // Each request mails two people: bounded per recipient (any account's) and per asking account.
  const admitted = await admitSubject(context, "change_email", { email: newEmail, userId: user.id });
  if (!admitted.ok) return admitted;
  // Whether the new address is registered is not revealed here; the switch refuses it later. A newer
  // request replaces the older one's code.
  const issued = await issueOneTimeCode(context, {
    userId: user.id,
    purpose: "change_email",
    target: newEmail,
    sessionId: caller.session.id,
  });
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
