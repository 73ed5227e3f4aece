// Accounts registered without a password (a legacy API's registration, later a social provider's
// first sign-in): the account exists unverified and password-less, and a code (and link) mailed to
// the address lets its owner choose one, through POST /v1/password/reset like a reset code. Until
// then a password login answers exactly as a wrong password (login hashes a dummy), and setting the
// password proves the address, which verifies it.

import { fail, type Result, succeed } from "../errors";
import { insertUserWithCode } from "../storage/user-store";
import type { ServiceContext } from "./context";
import { buildMailLink, sendMailNow } from "./mail-delivery";
import { prepareOneTimeCode } from "./one-time-codes";
import {
  admitRegistration,
  newUserRow,
  noticeRegisteredAddress,
  type RegistrationInput,
  refuseDuplicate,
} from "./registration";

export interface PasswordlessOptions {
  /**
   * A registered address answers email_taken (verified or not) instead of a request id that names
   * nothing, for a surface whose document promises that answer (Bookings' 400). Default false.
   */
  revealTakenAddress?: boolean;
}

export async function registerWithoutPassword(
  context: ServiceContext,
  input: RegistrationInput,
  options: PasswordlessOptions = {},
): Promise<Result<{ requestId: string; userId: string | null }>> {
  const admitted = await admitRegistration(context, input);
  if (!admitted.ok) return admitted;
  const user = newUserRow(context, { ...admitted.value, passwordHash: null, profile: input.profile });
  const code = await prepareOneTimeCode(context, { userId: user.id, purpose: "set_password", target: user.email });
  try {
    // The account and its code in one batch: a refused address stores neither.
    await insertUserWithCode(context.db, user, code.row);
  } catch (error) {
    const refused = refuseDuplicate(error);
    if (refused.ok || refused.error.code !== "email_taken" || options.revealTakenAddress) return refused;
    const noticed = await noticeRegisteredAddress(context, user.email);
    return noticed.ok ? succeed({ requestId: noticed.value.requestId, userId: null }) : noticed;
  }
  const sent = await sendMailNow(context, user.email, {
    kind: "set_password",
    code: code.issued.code,
    link: buildMailLink(context.config.links.resetPassword, code.issued.linkToken),
    expiresInMinutes: code.issued.expiresInMinutes,
  });
  // The account is kept when mail fails: a password reset request mails a code to it later.
  if (!sent.ok) return fail(sent.error.code, sent.error);
  return succeed({ requestId: code.issued.requestId, userId: user.id });
}
