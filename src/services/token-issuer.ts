// Builds sessions and the token pairs handed to clients: a short-lived access JWT and an opaque
// refresh token that is stored only as its SHA-256.

import { type AccessTokenClaims, signAccessToken } from "../crypto/access-token";
import { generateId, generateOpaqueToken, sha256Base64Url } from "../crypto/random";
import type { SessionRow, UserRow } from "../storage/schema";
import type { NewRefreshToken, NewSession } from "../storage/session-store";
import type { ClientInfo, ServiceContext } from "./context";
import { recordedUserAgent } from "./input-limits";
import { parseStringList } from "./json-list";
import { orgClaimsFor } from "./org-claims";

/** What a successful sign-up, login or refresh yields; routes turn it into RFC 6749 §5.1 fields. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  sessionId: string;
  claims: AccessTokenClaims;
  /**
   * Unix seconds: when the refresh token stops working unless it is used before (the session's idle
   * timeout from now, capped by its absolute expiry), for surfaces that state it.
   */
  refreshExpiresAt: number;
}

export interface NewSessionRecords {
  session: NewSession;
  tokenRow: NewRefreshToken;
  refreshToken: string;
}

export async function buildNewSession(
  context: ServiceContext,
  userId: string,
  client: ClientInfo,
  amr: string[],
): Promise<NewSessionRecords> {
  const now = context.now();
  const refreshToken = generateOpaqueToken();
  const session: NewSession = {
    id: generateId(),
    userId,
    // Recorded at creation: refresh reads the mode from the session, never from the request.
    rotatesRefreshToken: client.rotatesRefreshToken ?? true,
    amr: JSON.stringify(amr),
    userAgent: recordedUserAgent(client.userAgent),
    ip: client.ip,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + context.config.sessionAbsoluteTtlSeconds,
  };
  const tokenRow: NewRefreshToken = {
    tokenHash: await sha256Base64Url(refreshToken),
    sessionId: session.id,
    generation: 0,
    createdAt: now,
  };
  return { session, tokenRow, refreshToken };
}

/** The user fields an access token states; a phone number appears only once it is verified. */
export type TokenUser = Pick<UserRow, "id" | "email" | "emailVerified"> &
  Partial<Pick<UserRow, "phone" | "phoneVerified">>;

export async function issueAccessToken(
  context: ServiceContext,
  user: TokenUser,
  session: Pick<SessionRow, "id" | "amr"> & Partial<Pick<SessionRow, "activeOrganizationId">>,
): Promise<{ token: string; claims: AccessTokenClaims }> {
  // Re-read at every issue (refresh included): a member removed or suspended since gets no org claims.
  const org = await orgClaimsFor(context, user.id, session.activeOrganizationId);
  return signAccessToken(
    context.keys,
    {
      sub: user.id,
      sid: session.id,
      email: user.email,
      email_verified: user.emailVerified,
      // OIDC Core §5.1 names; an unverified number is the user's claim only, so it is left out.
      ...(user.phone && user.phoneVerified ? { phone_number: user.phone, phone_number_verified: true } : {}),
      amr: parseStringList(session.amr),
      ...org,
    },
    {
      issuer: context.config.issuer,
      audience: context.config.audience,
      jti: generateId(),
      issuedAt: context.now(),
      ttlSeconds: context.config.accessTokenTtlSeconds,
    },
  );
}

export async function issueTokens(
  context: ServiceContext,
  user: TokenUser,
  session: Pick<SessionRow, "id" | "amr" | "expiresAt"> & Partial<Pick<SessionRow, "activeOrganizationId">>,
  refreshToken: string,
): Promise<IssuedTokens> {
  const { token, claims } = await issueAccessToken(context, user, session);
  return {
    accessToken: token,
    expiresIn: context.config.accessTokenTtlSeconds,
    refreshToken,
    sessionId: session.id,
    claims,
    refreshExpiresAt: Math.min(context.now() + context.config.sessionIdleTimeoutSeconds, session.expiresAt),
  };
}
