// The one gate for a signed-in caller's password re-check before a sensitive change (second factors,
// email, password, deletion): a bearer token alone must not be enough, and it must not buy unlimited
// guesses either. Every re-check, today's and any later one, goes through `recheckPassword`: the
// per-IP limit first, then the account's login lock (failures here and at login count in one row,
// so 10 anywhere lock password checks everywhere, with the same doubling cool-off), then the hash.

import { verifyPassword } from "../crypto/password-hash";
import { fail, type Result, succeed } from "../errors";
import { accountFailureKey } from "../storage/login-failure-store";
import type { UserRow } from "../storage/schema";
import { findUserById } from "../storage/user-store";
import { admitClient } from "./abuse-limits";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { clearLoginFailures, countPasswordRecheck } from "./login-throttle";
import type { UserSessionPrincipal } from "./principal";
import { recordLockEngaged } from "./sign-in-events";

/**
 * `invalid_credentials` for a wrong password, a locked account and an account without a password
 * alike. On success, the account as stored now (the caller may need its hash for a compare-and-swap).
 */
export async function recheckPassword(
  context: ServiceContext,
  client: ClientInfo,
  userId: string,
  password: string,
  action: string,
  scope?: RequestScope,
): Promise<Result<UserRow>> {
  const admitted = await admitClient(context, "recheck_password", client.ip);
  if (!admitted.ok) return admitted;
  const admission = await countPasswordRecheck(context, userId);
  if (!admission.admitted) {
    return fail("invalid_credentials", { reason: `account locked after failures (${action})` });
  }
  const user = await findUserById(context.db, userId);
  const valid = user?.passwordHash
    ? (
        await verifyPassword(password, user.passwordHash, context.config.passwordScrypt, {
          // An imported hash not yet upgraded (the account signed in another way) verifies as at login.
          firebaseScrypt: context.config.firebaseScrypt,
        })
      ).valid
    : false;
  if (!user || !valid) {
    // The failure that reached the threshold locks sign-in too: the account's event log says so.
    if (admission.lockSecondsIfWrong > 0) {
      recordLockEngaged(context, scope, userId, { lockSeconds: admission.lockSecondsIfWrong, at: action });
    }
    return fail("invalid_credentials", { reason: `wrong password on ${action}` });
  }
  // As at login: a right password forgets the failures before it.
  await clearLoginFailures(context, accountFailureKey(userId));
  return succeed(user);
}

/** How recent a password-less account's sign-in must be to stand in for the password. */
export const RECENT_SIGN_IN_SECONDS = 300;

/**
 * Re-authentication before a sensitive change: the password when the account has one
 * (recheckPassword); for an account without one (made by a social sign-in), a session opened in the
 * last five minutes, since there is nothing else to ask for.
 */
export async function reauthenticate(
  context: ServiceContext,
  client: ClientInfo,
  principal: UserSessionPrincipal,
  password: string | undefined,
  action: string,
  scope?: RequestScope,
): Promise<Result<void>> {
  if (principal.user.hasPassword) {
    if (password === undefined) return fail("invalid_credentials", { reason: `${action} without the password` });
    const checked = await recheckPassword(context, client, principal.user.id, password, action, scope);
    return checked.ok ? succeed(undefined) : checked;
  }
  // A password sent for an account that has none is a wrong one, not one to ignore.
  if (password !== undefined) return fail("invalid_credentials", { reason: `${action}: no password to check` });
  if (principal.session.createdAt >= context.now() - RECENT_SIGN_IN_SECONDS) return succeed(undefined);
  return fail("invalid_credentials", { reason: `${action} needs a recent sign-in` });
}
