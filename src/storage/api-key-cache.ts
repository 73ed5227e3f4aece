// A per-isolate memory of API-key lookups (a found key with its owner, and "no such key"), so a hot
// key costs no D1 read per request. A remembered key is judged usable again at every use (expiry, a
// roll's grace end), so only what D1 could change behind this isolate's back is stale: a revocation, a
// roll, a disabled owner or a deleted organization done by another isolate is seen within the TTL; this
// isolate's own such writes forget the key at once (forgetApiKey, forgetApiKeysOfUser,
// forgetApiKeysOfOrganization).

import type { FoundKey } from "./api-key-store";
import { BoundedCache } from "./bounded-cache";

/** Far above the keys one isolate sees in a few seconds; a few hundred bytes an entry. */
export const API_KEY_CACHE_MAX_ENTRIES = 2_000;

export type FoundApiKey = FoundKey;

/** `null`: D1 held no usable key with this hash. */
type Lookup = FoundApiKey | null;

// One cache per D1 binding object (one per isolate, as the service context is), so every write of
// this isolate forgets through it, whichever service context made it.
const caches = new WeakMap<object, BoundedCache<Lookup>>();

export function apiKeyCacheFor(d1: object): BoundedCache<Lookup> {
  let cache = caches.get(d1);
  if (!cache) {
    cache = new BoundedCache(API_KEY_CACHE_MAX_ENTRIES);
    caches.set(d1, cache);
  }
  return cache;
}

export function forgetApiKey(d1: object, keyId: string): void {
  apiKeyCacheFor(d1).forgetWhere((found) => found?.key.id === keyId);
}

/**
 * The user's keys, the keys they made for an organization (a discarded squatter's), and every "no
 * such key" (one may have been a key of theirs while disabled).
 */
export function forgetApiKeysOfUser(d1: object, userId: string): void {
  apiKeyCacheFor(d1).forgetWhere(
    (found) => found === null || found.user?.id === userId || found.key.createdBy === userId,
  );
}

/** The organization's keys (it was deleted). */
export function forgetApiKeysOfOrganization(d1: object, organizationId: string): void {
  apiKeyCacheFor(d1).forgetWhere((found) => found?.organization?.id === organizationId);
}

/** Notes a use about to be stamped on the remembered row, so the stamp is asked for once per interval. */
export function markUsed(d1: object, keyId: string, now: number): void {
  apiKeyCacheFor(d1).forEachValue((found) => {
    if (found?.key.id === keyId) found.key.lastUsedAt = now;
  });
}
