// A bounded per-isolate memory of denylist answers ("revoked" and "not revoked"), so a token check
// in a warm isolate costs no KV read. It mirrors one KV namespace and only ever answers what that
// namespace said, or what this isolate itself wrote to it, at most `ttlSeconds` ago.

import { BoundedCache } from "../bounded-cache";

/** Far above the sessions one isolate sees in a few seconds; about 150 B an entry, so ~1.5 MB at most. */
export const DENYLIST_CACHE_MAX_ENTRIES = 10_000;

/**
 * Answers keyed by session id. A "not revoked" read that started before this isolate revoked the
 * session (a check racing a logout) never replaces that revocation: revocation only ever grows.
 */
export class RevocationCache {
  readonly #answers: BoundedCache<boolean>;

  constructor(maxEntries = DENYLIST_CACHE_MAX_ENTRIES) {
    this.#answers = new BoundedCache(maxEntries);
  }

  get size(): number {
    return this.#answers.size;
  }

  /** What KV said about `sessionId` less than `ttlSeconds` before `now`, or undefined. */
  lookup(sessionId: string, now: number, ttlSeconds: number): boolean | undefined {
    return this.#answers.lookup(sessionId, now, ttlSeconds);
  }

  /** Records an answer as of `now` (see the class comment for the one it never replaces). */
  remember(sessionId: string, denied: boolean, now: number): void {
    const known = this.#answers.peek(sessionId);
    if (!denied && known?.value && known.at >= now) return;
    this.#answers.remember(sessionId, denied, now);
  }
}

// One cache per KV namespace binding object (one per isolate, as the service context is): every
// denySessions of this isolate writes through it, whichever service context made the call.
const caches = new WeakMap<KVNamespace, RevocationCache>();

export function revocationCacheFor(kv: KVNamespace): RevocationCache {
  let cache = caches.get(kv);
  if (!cache) {
    cache = new RevocationCache();
    caches.set(kv, cache);
  }
  return cache;
}
