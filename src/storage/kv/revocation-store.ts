// The denylist of sessions (by sid), under the `revoked:sid:` prefix of keys.ts. Every access token
// names its session, so one key per session refuses all of its tokens, and verification reads one key,
// through this isolate's bounded cache of recent answers (revocation-cache.ts).

import { revokedSessionKey, revokedSessionTtl } from "./keys";
import { revocationCacheFor } from "./revocation-cache";

/**
 * KV's own edge cache of a read, "not found" included (its minimum, 60 s, and its default, set on
 * purpose): a longer one would keep a location answering "not revoked" for longer after a revocation
 * elsewhere, and buys nothing for keys read this often. docs/storage.md states the resulting bound.
 */
export const DENYLIST_KV_CACHE_TTL_SECONDS = 60;

const nowInSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Every access token of these sessions is refused for as long as one could still be valid. This
 * isolate's cache learns it first, so its own later checks refuse at once even before KV has it.
 */
export async function denySessions(
  kv: KVNamespace,
  sessionIds: string[],
  accessTokenTtlSeconds: number,
  now = nowInSeconds(),
): Promise<void> {
  const cache = revocationCacheFor(kv);
  for (const id of sessionIds) cache.remember(id, true, now);
  const ttl = revokedSessionTtl(accessTokenTtlSeconds);
  await Promise.all(sessionIds.map((id) => kv.put(revokedSessionKey(id), "1", { expirationTtl: ttl })));
}

/** How long this isolate may reuse an answer (0: read KV every time), and the service's clock. */
export interface DenylistCachePolicy {
  ttlSeconds: number;
  now: number;
}

/**
 * One KV read, unless this isolate has an answer younger than `policy.ttlSeconds`. A KV failure
 * throws (callers fail closed) and is never remembered.
 */
export async function isSessionDenied(
  kv: KVNamespace,
  sessionId: string,
  policy: DenylistCachePolicy = { ttlSeconds: 0, now: nowInSeconds() },
): Promise<boolean> {
  const cache = revocationCacheFor(kv);
  if (policy.ttlSeconds > 0) {
    const cached = cache.lookup(sessionId, policy.now, policy.ttlSeconds);
    if (cached !== undefined) return cached;
  }
  const denied = (await kv.get(revokedSessionKey(sessionId), { cacheTtl: DENYLIST_KV_CACHE_TTL_SECONDS })) !== null;
  if (policy.ttlSeconds > 0) cache.remember(sessionId, denied, policy.now);
  return denied;
}
