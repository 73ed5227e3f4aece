// A bounded per-isolate memory of denylist answers ("revoked" and "not revoked"), so a token check
// in a warm isolate costs no KV read. It mirrors one KV namespace and only ever answers what that
// namespace said, or what this isolate itself wrote to it, at most `ttlSeconds` ago.

/** Far above the sessions one isolate sees in a few seconds; about 150 B an entry, so ~1.5 MB at most. */
export const DENYLIST_CACHE_MAX_ENTRIES = 10_000;

interface CachedAnswer {
  denied: boolean;
  /** Unix seconds (the service's clock) when KV said so, or when this isolate wrote the entry. */
  at: number;
}

/**
 * Insertion order is recency order (a hit moves its entry to the back), so the first key is the
 * least recently used one and is the one dropped when the cache is full.
 */
export class RevocationCache {
  readonly #answers = new Map<string, CachedAnswer>();

  constructor(readonly maxEntries = DENYLIST_CACHE_MAX_ENTRIES) {}

  get size(): number {
    return this.#answers.size;
  }

  /**
   * What KV said about `sessionId` less than `ttlSeconds` before `now`, or undefined. A clock that
   * went back past the answer counts as stale too: an answer is only trusted for the time it covers.
   */
  lookup(sessionId: string, now: number, ttlSeconds: number): boolean | undefined {
    const answer = this.#answers.get(sessionId);
    if (!answer) return undefined;
    const age = now - answer.at;
    if (age < 0 || age >= ttlSeconds) {
      this.#answers.delete(sessionId);
      return undefined;
    }
    this.#answers.delete(sessionId);
    this.#answers.set(sessionId, answer);
    return answer.denied;
  }

  /**
   * Records an answer as of `now`. A "not revoked" read that started before this isolate revoked the
   * session (a check racing a logout) never replaces that revocation: revocation only ever grows.
   */
  remember(sessionId: string, denied: boolean, now: number): void {
    const known = this.#answers.get(sessionId);
    if (!denied && known?.denied && known.at >= now) return;
    this.#answers.delete(sessionId);
    if (this.#answers.size >= this.maxEntries) {
      const oldest = this.#answers.keys().next();
      if (!oldest.done) this.#answers.delete(oldest.value);
    }
    this.#answers.set(sessionId, { denied, at: now });
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
