// The client_credentials grant (RFC 6749 §4.4): an API key exchanged for a short-lived access token,
// signed like every access token (RFC 9068), so other Workers and backends check a signature instead
// of calling D1 per request. Its `sub` is the key's owner, `client_id` and `sid` the key's id (`sid`
// names no session, so no route that needs a person's session accepts it, and revoking the key
// denylists it), `scope` the key's scopes or the asked subset. An organization's key acts for no
// person: its token's `sub` is the key's id (RFC 9068 §2.2: the client, when no resource owner is
// involved), with the organization in `org` and `org_slug`, and no email and no `role`. It lives
// ACCESS_TOKEN_TTL_SECONDS, and never past the key's expiry or the end of its roll's grace.

import { type AccessTokenClaims, signAccessToken } from "../crypto/access-token";
import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { type ApiKeyPrincipal, usableUntil } from "./api-key-model";
import type { ServiceContext } from "./context";

export interface ClientCredentialsToken {
  accessToken: string;
  expiresIn: number;
  /** Space-separated, as RFC 6749 §3.3 writes scopes. */
  scope: string;
  claims: AccessTokenClaims;
}

/**
 * Signs the token for `principal`. `requestedScopes` (absent: all the key holds) must be a subset of
 * the key's scopes, else insufficient_scope (the grant's invalid_scope).
 */
export async function exchangeApiKey(
  context: ServiceContext,
  principal: ApiKeyPrincipal,
  requestedScopes?: string[],
): Promise<Result<ClientCredentialsToken>> {
  const held: readonly string[] = principal.key.scopes;
  const asked = requestedScopes ?? [...held];
  const missing = asked.filter((name) => !held.includes(name));
  if (missing.length > 0 || asked.length === 0) {
    return fail("insufficient_scope", { reason: `scopes not held: ${missing.join(" ") || "(none asked)"}` });
  }
  const now = context.now();
  const until = usableUntil(principal.key);
  const ttlSeconds = Math.max(1, Math.min(context.config.accessTokenTtlSeconds, (until ?? Infinity) - now));
  const scope = [...new Set(asked)].join(" ");
  const { user, organization, key } = principal;
  const owner = user
    ? { sub: user.id, email: user.email, email_verified: user.emailVerified }
    : { sub: key.id, org: organization.id, org_slug: organization.slug };
  const { token, claims } = await signAccessToken(
    context.keys,
    { ...owner, sid: key.id, client_id: key.id, scope, amr: [] },
    { issuer: context.config.issuer, audience: context.config.audience, jti: generateId(), issuedAt: now, ttlSeconds },
  );
  return succeed({ accessToken: token, expiresIn: ttlSeconds, scope, claims });
}
