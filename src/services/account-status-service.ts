// Disabling and re-enabling accounts, for operators (over RPC). A disabled account answers login like
// a wrong password, and refresh and this service's own endpoints refuse it at once (they read D1).
// Its sessions are also revoked and denylisted, so other Workers verifying its access tokens refuse
// them too, within KV's propagation time, rather than until they expire.

import { fail, type Result, succeed } from "../errors";
import { setUserDisabled } from "../storage/user-store";
import type { ServiceContext } from "./context";
import { revokeEverySession } from "./session-service";

/** Disabled first, so nothing can refresh in between; then every live session ends. */
export async function disableAccount(
  context: ServiceContext,
  userId: string,
): Promise<Result<{ sessionsRevoked: number }>> {
  const user = await setUserDisabled(context.db, userId, true, context.now());
  if (!user) return fail("user_not_found");
  return succeed({ sessionsRevoked: await revokeEverySession(context, userId, "account_disabled") });
}

/** Lets the account log in again; the sessions ended by disabling it stay ended. */
export async function enableAccount(context: ServiceContext, userId: string): Promise<Result<void>> {
  const user = await setUserDisabled(context.db, userId, false, context.now());
  return user ? succeed(undefined) : fail("user_not_found");
}
