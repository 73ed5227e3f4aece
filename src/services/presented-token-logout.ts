// Logout by whichever tokens a client presents, for a surface whose logout must refuse a dead token
// (NAP's X-NAP-Session-Token and/or X-NAP-Refresh-Token; BioEntrust's refresh token as Bearer), where the native logout answers an unknown
// refresh token as done (RFC 7009 §2.2). Each token presented must be live; then logOut ends the
// session (or both sessions) they name, as for /v1.

import { sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { findPresentedToken } from "../storage/refresh-token-store";
import { findLiveSession } from "../storage/session-store";
import { type ServiceContext, sessionWindow } from "./context";
import { MAX_REFRESH_TOKEN_LENGTH } from "./input-limits";
import type { Principal } from "./principal";
import { logOut } from "./session-service";
import { authenticateCaller } from "./token-verification";

export interface PresentedTokens {
  accessToken: string | null;
  refreshToken: string | null;
}

/** The user whose live session the refresh token belongs to (rotated or not), or undefined. */
async function liveRefreshTokenOwner(context: ServiceContext, refreshToken: string): Promise<string | undefined> {
  if (refreshToken.length === 0 || refreshToken.length > MAX_REFRESH_TOKEN_LENGTH) return undefined;
  const state = await findPresentedToken(context.db, await sha256Base64Url(refreshToken));
  if (!state) return undefined;
  const live = await findLiveSession(context.db, state.session.id, sessionWindow(context));
  return live?.user.id;
}

/**
 * Ends the sessions the presented tokens name. A dead, unknown or forged access token is
 * invalid_token; a refresh token that names no live session, or another user's session than the
 * access token's, is invalid_refresh_token; in either case nothing is ended. Presenting neither is
 * the caller's to refuse.
 */
export async function logOutPresented(context: ServiceContext, tokens: PresentedTokens): Promise<Result<void>> {
  let caller: Principal | null = null;
  if (tokens.accessToken !== null) {
    const authenticated = await authenticateCaller(context, tokens.accessToken);
    if (!authenticated.ok) return authenticated;
    caller = authenticated.value;
  }
  if (tokens.refreshToken !== null) {
    const owner = await liveRefreshTokenOwner(context, tokens.refreshToken);
    if (owner === undefined) return fail("invalid_refresh_token", { reason: "logout with a dead refresh token" });
    if (caller && owner !== caller.user.id) {
      return fail("invalid_refresh_token", { reason: "logout with another user's refresh token" });
    }
  }
  await logOut(context, { caller, refreshToken: tokens.refreshToken });
  return succeed(undefined);
}
