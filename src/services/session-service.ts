// Listing and revoking sessions. Revocation is decided in D1 (refresh and sensitive endpoints refuse
// at once) and then copied to the KV denylist: this isolate's checks see it at once, others within
// about 65 s (docs/storage.md, "The revocation bound").

import { sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { denySessions } from "../storage/kv/revocation-store";
import { voidingPendingEmailChanges } from "../storage/one-time-code-store";
import { findPresentedToken } from "../storage/refresh-token-store";
import { listLiveSessions, revokeAllSessions, revokeSession } from "../storage/session-store";
import { type RequestScope, type ServiceContext, sessionWindow } from "./context";
import { MAX_REFRESH_TOKEN_LENGTH } from "./input-limits";
import { type Session, toSession } from "./model";
import type { Principal } from "./principal";
import { recordSecurityEvent } from "./security-events";

export async function denySessionTokens(context: ServiceContext, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  await denySessions(context.kv, sessionIds, context.config.accessTokenTtlSeconds, context.now());
}

export async function listSessions(context: ServiceContext, principal: Principal): Promise<Session[]> {
  return (await listLiveSessions(context.db, principal.user.id, sessionWindow(context))).map(toSession);
}

/** "Log out everywhere" for the signed-in person. */
export async function endEverySession(
  context: ServiceContext,
  principal: Principal,
  scope?: RequestScope,
): Promise<number> {
  const ended = await revokeEverySession(context, principal.user.id, "revoked_all_by_user");
  const userId = principal.user.id;
  recordSecurityEvent(context, scope, {
    type: "session_revoked",
    subjectUserId: userId,
    actorUserId: userId,
    detail: { scope: "all", sessions_ended: ended },
  });
  return ended;
}

export async function revokeOwnSession(
  context: ServiceContext,
  caller: Principal,
  sessionId: string,
  scope?: RequestScope,
): Promise<Result<void>> {
  const revoked = await revokeSession(context.db, sessionId, caller.user.id, "revoked_by_user", context.now());
  if (!revoked) return fail("session_not_found");
  await denySessionTokens(context, [sessionId]);
  recordSecurityEvent(context, scope, {
    type: "session_revoked",
    subjectUserId: caller.user.id,
    actorUserId: caller.user.id,
    detail: { scope: "one", session_id: sessionId },
  });
  return succeed(undefined);
}

/** Ends every session of the user (and, in the same batch, any email change they asked for). */
export async function revokeEverySession(context: ServiceContext, userId: string, reason: string): Promise<number> {
  const now = context.now();
  const ids = await revokeAllSessions(context.db, userId, reason, now, [
    voidingPendingEmailChanges(context.db, userId, now),
  ]);
  await denySessionTokens(context, ids);
  return ids.length;
}

/** Revokes a session by id alone (the RPC surface for trusted Workers). */
/** A session ended by another Worker (RPC revokeSession): no person acted. */
export async function revokeSessionById(
  context: ServiceContext,
  sessionId: string,
  scope?: RequestScope,
): Promise<Result<void>> {
  const revoked = await revokeSession(context.db, sessionId, null, "revoked_by_service", context.now());
  if (!revoked) return fail("session_not_found");
  await denySessionTokens(context, [sessionId]);
  recordSecurityEvent(context, scope, {
    type: "session_revoked",
    subjectUserId: revoked,
    detail: { scope: "one", session_id: sessionId, by: "service" },
  });
  return succeed(undefined);
}

export interface LogoutInput {
  /** The verified caller when a bearer access token was presented. */
  caller: Principal | null;
  refreshToken: string | null;
}

/**
 * Ends the session named by the access token and/or the refresh token. Unknown refresh tokens are a
 * no-op (RFC 7009 §2.2). Every session named is denylisted, even one D1 already had revoked: the put
 * is idempotent, and it repairs a denylist entry an earlier KV failure left missing.
 */
export async function logOut(context: ServiceContext, input: LogoutInput, scope?: RequestScope): Promise<void> {
  const now = context.now();
  const sessionIds = new Set<string>();
  if (input.caller) sessionIds.add(input.caller.claims.sid);
  if (input.refreshToken && input.refreshToken.length <= MAX_REFRESH_TOKEN_LENGTH) {
    const state = await findPresentedToken(context.db, await sha256Base64Url(input.refreshToken));
    // A refresh token only ends its own user's session when a bearer token names a user too.
    if (state && (!input.caller || state.user.id === input.caller.user.id)) sessionIds.add(state.session.id);
  }
  for (const id of sessionIds) {
    const revoked = await revokeSession(context.db, id, null, "logout", now);
    // Only a session this logout ended is an event (a repeated logout changes nothing).
    if (revoked) {
      recordSecurityEvent(context, scope, {
        type: "session_revoked",
        subjectUserId: revoked,
        actorUserId: revoked,
        detail: { scope: "logout", session_id: id },
      });
    }
  }
  await denySessionTokens(context, [...sessionIds]);
}
