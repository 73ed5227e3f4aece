// Checks access tokens. `introspectAccessToken` is what other services and /v1/token/verify get:
// signature, claims and the KV denylist. `authenticateCaller` is for our own sensitive endpoints:
// signature and claims, then the session in D1, so a revoked session is refused at once.

import { type AccessTokenClaims, verifyAccessToken } from "../crypto/access-token";
import { fail, type Result, succeed, type TokenRejection } from "../errors";
import { isSessionDenied } from "../storage/kv/revocation-store";
import { type AlongsideRead, findLiveSession, findLiveSessionWith, type LiveSession } from "../storage/session-store";
import { type ServiceContext, sessionWindow } from "./context";
import { toSession, toUser } from "./model";
import { orgScopedDenylistId } from "./org-denylist";
import type { UserSessionPrincipal } from "./principal";
import { rememberedClaims, rememberVerified } from "./verified-token-cache";

export type { TokenRejection } from "../errors";

export type Introspection = { active: true; claims: AccessTokenClaims } | { active: false; rejection: TokenRejection };

/** The principal of a request that presented a person's access token (see principal.ts). */
export type AuthenticatedCaller = UserSessionPrincipal;

async function verifySignatureAndClaims(
  context: ServiceContext,
  token: string,
): Promise<{ ok: true; claims: AccessTokenClaims } | { ok: false; rejection: TokenRejection }> {
  const now = context.now();
  // A token this context already verified costs no second signature (verified-token-cache.ts).
  const remembered = rememberedClaims(context, token, now);
  if (remembered) return { ok: true, claims: remembered };
  const verified = await verifyAccessToken(context.keys, token, {
    issuer: context.config.issuer,
    audience: context.config.audience,
    now,
  });
  if (!verified.ok) return { ok: false, rejection: `token_${verified.reason}` };
  rememberVerified(context, token, verified.claims, now);
  return verified;
}

export async function introspectAccessToken(context: ServiceContext, token: string): Promise<Introspection> {
  const verified = await verifySignatureAndClaims(context, token);
  if (!verified.ok) return { active: false, rejection: verified.rejection };
  try {
    const cachePolicy = { ttlSeconds: context.config.denylistCacheTtlSeconds, now: context.now() };
    if (await isSessionDenied(context.kv, verified.claims.sid, cachePolicy)) {
      return { active: false, rejection: "token_revoked" };
    }
    // An organization-scoped token also dies with its membership (src/services/org-denylist.ts).
    const { org } = verified.claims;
    if (
      org !== undefined &&
      (await isSessionDenied(context.kv, orgScopedDenylistId(verified.claims.sid, org), cachePolicy))
    ) {
      return { active: false, rejection: "token_revoked" };
    }
  } catch {
    // The denylist could not be read: fail closed rather than accept a possibly revoked token.
    return { active: false, rejection: "verifier_unavailable" };
  }
  return { active: true, claims: verified.claims };
}

export async function authenticateCaller(context: ServiceContext, token: string): Promise<Result<AuthenticatedCaller>> {
  const result = await callerOf(context, token, async (sid) => ({
    live: await findLiveSession(context.db, sid, sessionWindow(context)),
    rows: [],
  }));
  return result.ok ? succeed(result.value.caller) : result;
}

/** authenticateCaller, with one more read of the caller's rows in the same D1 round trip. */
export async function authenticateCallerWith<T>(
  context: ServiceContext,
  token: string,
  alongside: AlongsideRead<T>,
): Promise<Result<{ caller: AuthenticatedCaller; rows: T[] }>> {
  return callerOf(context, token, (sid) => findLiveSessionWith(context.db, sid, sessionWindow(context), alongside));
}

async function callerOf<T>(
  context: ServiceContext,
  token: string,
  lookUp: (sessionId: string) => Promise<{ live: LiveSession | undefined; rows: T[] }>,
): Promise<Result<{ caller: AuthenticatedCaller; rows: T[] }>> {
  const verified = await verifySignatureAndClaims(context, token);
  if (!verified.ok) return fail("invalid_token", { reason: verified.rejection, tokenRejection: verified.rejection });
  // A client_credentials token acts for an API key, not a person: it opens no route that needs a session.
  if (verified.claims.client_id !== undefined) {
    return fail("invalid_token", { reason: "client_credentials token", tokenRejection: "token_invalid" });
  }
  const { live, rows } = await lookUp(verified.claims.sid);
  if (!live || live.user.id !== verified.claims.sub) {
    return fail("invalid_token", { reason: "session not live", tokenRejection: "token_revoked" });
  }
  const caller: AuthenticatedCaller = {
    kind: "user_session",
    claims: verified.claims,
    session: toSession(live.session),
    user: toUser(live.user),
  };
  return succeed({ caller, rows });
}
