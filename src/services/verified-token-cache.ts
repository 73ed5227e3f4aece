// A bounded per-isolate memory of access tokens whose signature and claims this isolate has already
// checked, so the next check of the same token (an SPA sends one token for its whole life) costs a map
// lookup instead of a signature. Only successes are remembered, and only for the service context that
// checked them: the key set, issuer and audience belong to that context, so a rotated-out key (a new
// SIGNING_KEYS is a new context) stops verifying at once. The denylist is still read on every check.

import type { AccessTokenClaims } from "../crypto/access-token";
import { BoundedCache } from "../storage/bounded-cache";
import type { ServiceContext } from "./context";

/** About 1.5 KB an entry (the token text and its claims): ~3 MB at most per isolate. */
export const VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 2_048;
/**
 * How long a remembered check is reused. A token stays valid until its `exp` (checked on every hit);
 * this bound only limits how long the isolate trusts its own earlier answer.
 */
export const VERIFIED_TOKEN_CACHE_TTL_SECONDS = 300;

const caches = new WeakMap<ServiceContext, BoundedCache<Readonly<AccessTokenClaims>>>();

function cacheOf(context: ServiceContext): BoundedCache<Readonly<AccessTokenClaims>> {
  let cache = caches.get(context);
  if (!cache) {
    cache = new BoundedCache(VERIFIED_TOKEN_CACHE_MAX_ENTRIES);
    caches.set(context, cache);
  }
  return cache;
}

/**
 * The claims of `token` if this context verified exactly this text less than the TTL ago (by its own
 * clock, which must not have gone back since) and it has not expired at `now`.
 */
export function rememberedClaims(context: ServiceContext, token: string, now: number): AccessTokenClaims | undefined {
  const claims = cacheOf(context).lookup(token, now, VERIFIED_TOKEN_CACHE_TTL_SECONDS);
  // jose's rule: expired once `exp <= now`. A remembered token past it is verified afresh (and refused).
  return claims !== undefined && claims.exp > now ? claims : undefined;
}

/** Remembers a token whose signature and claims were just verified at `now`. */
export function rememberVerified(context: ServiceContext, token: string, claims: AccessTokenClaims, now: number): void {
  cacheOf(context).remember(token, Object.freeze(claims), now);
}
