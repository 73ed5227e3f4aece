// What an operator does to an account through the admin API (an `admin` API key) or RPC (a trusted
// Worker): disable, enable, delete, end every session, mark the email verified, reset the second
// factors. Each reuses the account's own machinery (account-status-service, session-service) and is
// recorded as an `admin_action` security event naming the acting key and the subject.

import { fail, type Result, succeed } from "../errors";
import { resetSecondFactors, type SecondFactorReset, setEmailVerified } from "../storage/admin-user-store";
import { listUsableApiKeys } from "../storage/api-key-store";
import { deleteUser, findUserById } from "../storage/user-store";
import { disableAccount, enableAccount } from "./account-status-service";
import type { RequestScope, ServiceContext } from "./context";
import { toUser, type User } from "./model";
import { recordSecurityEvent } from "./security-events";
import { denySessionTokens, revokeEverySession } from "./session-service";

export type { SecondFactorReset };

export type AdminActionName =
  | "disable"
  | "enable"
  | "delete"
  | "revoke_sessions"
  | "verify_email"
  | "reset_mfa"
  | "set_org_role"
  | "issue_admin_key";

/** Who acts: an admin key (and its owner) over HTTP, or a Worker holding the service binding. */
export interface AdminActor {
  keyId: string | null;
  userId: string | null;
  via: "api" | "rpc";
}

export function recordAdminAction(
  context: ServiceContext,
  scope: RequestScope,
  actor: AdminActor,
  subjectUserId: string,
  action: AdminActionName,
): void {
  recordSecurityEvent(context, scope, {
    type: "admin_action",
    subjectUserId,
    actorUserId: actor.userId,
    actorKeyId: actor.keyId,
    detail: { action, via: actor.via },
  });
}

/**
 * Access tokens a client exchanged for one of the user's keys carry the key's id as `sid`: denylisting
 * those ids makes them die with the account, like its sessions' tokens.
 */
async function denyKeyTokens(context: ServiceContext, userId: string): Promise<void> {
  const keys = await listUsableApiKeys(context.db, { userId }, context.now());
  await denySessionTokens(
    context,
    keys.map((key) => key.id),
  );
}

/** Disabled at once (login, refresh, keys refused), every session ended and denylisted. */
export async function adminDisableUser(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  scope: RequestScope,
): Promise<Result<{ sessionsRevoked: number }>> {
  const result = await disableAccount(context, userId);
  if (!result.ok) return result;
  await denyKeyTokens(context, userId);
  recordAdminAction(context, scope, actor, userId, "disable");
  return result;
}

export async function adminEnableUser(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  scope: RequestScope,
): Promise<Result<void>> {
  const result = await enableAccount(context, userId);
  if (result.ok) recordAdminAction(context, scope, actor, userId, "enable");
  return result;
}

/** Deletes the user and everything of theirs (ON DELETE CASCADE); their tokens are denylisted. */
export async function adminDeleteUser(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  scope: RequestScope,
): Promise<Result<void>> {
  const keys = await listUsableApiKeys(context.db, { userId }, context.now());
  const sessionIds = await deleteUser(context.db, userId);
  if (sessionIds === null) return fail("user_not_found");
  await denySessionTokens(context, [...sessionIds, ...keys.map((key) => key.id)]);
  recordAdminAction(context, scope, actor, userId, "delete");
  return succeed(undefined);
}

/** "Log out everywhere" on the user's behalf: refresh refused at once, access tokens denylisted. */
export async function adminRevokeSessions(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  scope: RequestScope,
): Promise<Result<{ sessionsRevoked: number }>> {
  if (!(await findUserById(context.db, userId))) return fail("user_not_found");
  const sessionsRevoked = await revokeEverySession(context, userId, "revoked_by_admin");
  recordAdminAction(context, scope, actor, userId, "revoke_sessions");
  return succeed({ sessionsRevoked });
}

/** Marks the user's current address verified (the operator vouches for it). */
export async function adminVerifyEmail(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  scope: RequestScope,
): Promise<Result<User>> {
  const row = await setEmailVerified(context.db, userId, context.now());
  if (!row) return fail("user_not_found");
  recordAdminAction(context, scope, actor, userId, "verify_email");
  return succeed(toUser(row));
}

/**
 * Removes TOTP, the recovery codes and SMS sign-in (the verified phone stays, so the user may turn
 * SMS sign-in on again), and ends logins waiting for a second factor. Sessions are left alone: end
 * them too (revoke_sessions) when the account may be in someone else's hands.
 */
export async function adminResetMfa(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  scope: RequestScope,
): Promise<Result<SecondFactorReset>> {
  const reset = await resetSecondFactors(context.db, userId, context.now());
  if (!reset) return fail("user_not_found");
  recordAdminAction(context, scope, actor, userId, "reset_mfa");
  return succeed(reset);
}
