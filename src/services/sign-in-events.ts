// The security events of signing in, in one place so every sign-in path words them alike: a success
// names the session it opened and the methods used (`amr`); a failure names a reason class, never
// the password, the code or the address tried. A failure for an identifier that names no account
// has no subject, and nothing of the identifier is stored.

import type { RequestScope, ServiceContext } from "./context";
import { recordSecurityEvent } from "./security-events";

export type SignInFailureReason =
  | "unknown_account"
  | "wrong_password"
  | "no_password"
  | "locked"
  | "disabled"
  | "not_verified"
  | "mfa_failed";

export function recordSignInSucceeded(
  context: ServiceContext,
  scope: RequestScope | undefined,
  userId: string,
  tokens: { sessionId: string; claims: { amr: string[] } },
  /** How, beyond `amr` (a social sign-in's `{method: "oauth", provider}`). */
  extra: Record<string, string> = {},
): void {
  recordSecurityEvent(context, scope, {
    type: "sign_in_succeeded",
    subjectUserId: userId,
    actorUserId: userId,
    detail: { ...extra, session_id: tokens.sessionId, amr: tokens.claims.amr.join(" ") },
  });
}

export function recordSignInFailed(
  context: ServiceContext,
  scope: RequestScope | undefined,
  userId: string | null,
  reason: SignInFailureReason,
): void {
  recordSecurityEvent(context, scope, { type: "sign_in_failed", subjectUserId: userId, detail: { reason } });
}

/**
 * The failure that set a lock: the account's (or, with no subject, an unknown identifier's) password
 * checks are refused for `lockSeconds`. `at`: "login" or the re-check's action.
 */
export function recordLockEngaged(
  context: ServiceContext,
  scope: RequestScope | undefined,
  userId: string | null,
  lock: { lockSeconds: number; at: string },
): void {
  recordSecurityEvent(context, scope, {
    type: "lock_engaged",
    subjectUserId: userId,
    detail: { lock_seconds: lock.lockSeconds, at: lock.at },
  });
}
