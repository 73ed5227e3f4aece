// Refresh-token rotation and reuse detection (RFC 9700 §4.14.2).
//
// Every refresh rotates the token. Exactly one caller wins the rotation of a token (an atomic claim
// in D1). A rotated token that comes back is reuse and revokes the whole family (its session),
// except inside a short grace window: if the successor has not been used yet, the caller gets that
// same successor back (re-derived from the presented token), which covers a lost response and
// parallel refreshes from one client without creating a second live token.

import { generateOpaqueToken, sha256Base64Url } from "../crypto/random";
import { deriveSuccessorToken } from "../crypto/successor-token";
import { fail, type Result, succeed } from "../errors";
import { claimRotation, findPresentedToken, type PresentedTokenState } from "../storage/refresh-token-store";
import { revokeSession, touchSession } from "../storage/session-store";
import type { RequestScope, ServiceContext } from "./context";
import { sessionWindow } from "./context";
import { MAX_REFRESH_TOKEN_LENGTH } from "./input-limits";
import { isDisabled } from "./model";
import { recordSecurityEvent } from "./security-events";
import { denySessionTokens } from "./session-service";
import { type IssuedTokens, issueTokens } from "./token-issuer";

export async function refreshSession(
  context: ServiceContext,
  presentedToken: string,
  scope?: RequestScope,
): Promise<Result<IssuedTokens>> {
  if (presentedToken.length === 0 || presentedToken.length > MAX_REFRESH_TOKEN_LENGTH) {
    return fail("invalid_refresh_token", { reason: "refresh token of impossible length" });
  }
  const presentedHash = await sha256Base64Url(presentedToken);
  const successorNonce = generateOpaqueToken();
  const successorToken = await deriveSuccessorToken(presentedToken, successorNonce);
  const successorHash = await sha256Base64Url(successorToken);

  const claimed = await claimRotation(
    context.db,
    { presentedHash, successorHash, successorNonce },
    sessionWindow(context),
  );
  if (claimed) return succeed(await issueTokens(context, claimed.user, claimed.session, successorToken));

  const state = await findPresentedToken(context.db, presentedHash);
  if (!state) return fail("invalid_refresh_token", { reason: "unknown refresh token" });
  return resolveUnclaimable(context, presentedToken, state, scope);
}

async function resolveUnclaimable(
  context: ServiceContext,
  presentedToken: string,
  state: PresentedTokenState,
  scope: RequestScope | undefined,
): Promise<Result<IssuedTokens>> {
  const { token, session, user } = state;
  const now = context.now();
  const window = sessionWindow(context);
  const live =
    session.revokedAt === null &&
    session.expiresAt > now &&
    session.lastUsedAt > now - window.idleTimeoutSeconds &&
    !isDisabled(user);
  if (!live) return fail("invalid_refresh_token", { reason: "session revoked, expired or idle" });

  if (token.successorHash === null) {
    // A live, unrotated token the claim could not take: the session keeps one token for its life.
    if (session.rotatesRefreshToken) return fail("invalid_refresh_token", { reason: "rotation lost a race twice" });
    await touchSession(context.db, session.id, now);
    return succeed(await issueTokens(context, user, session, presentedToken));
  }

  const successorUnused = state.successor !== null && state.successor.successorHash === null;
  const inGrace = token.rotatedAt !== null && now - token.rotatedAt <= context.config.refreshReuseGraceSeconds;
  if (successorUnused && inGrace && token.successorNonce) {
    const successorToken = await deriveSuccessorToken(presentedToken, token.successorNonce);
    if ((await sha256Base64Url(successorToken)) === token.successorHash) {
      return succeed(await issueTokens(context, user, session, successorToken));
    }
  }

  // Reuse of a rotated token: someone else holds the family. Kill it everywhere.
  if (await revokeSession(context.db, session.id, null, "refresh_token_reuse", now)) {
    await denySessionTokens(context, [session.id]);
    // Once per family: the statement that revoked the session decided it. No actor: who replayed it is unknown.
    recordSecurityEvent(context, scope, {
      type: "refresh_reuse_detected",
      subjectUserId: user.id,
      detail: { session_id: session.id },
    });
  }
  return fail("invalid_refresh_token", { reason: "rotated refresh token reused; family revoked" });
}
