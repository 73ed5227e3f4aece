// A bounded per-isolate memory with an age limit, for answers that are safe to reuse for a few
// seconds (denylist reads, API-key lookups). Insertion order is recency order (a hit moves its entry to
// the back), so the first key is the least recently used one and the one dropped when full.

interface Entry<V> {
  value: V;
  /** Unix seconds (the service's clock) when the answer was read or written. */
  at: number;
}

export class BoundedCache<V> {
  readonly #entries = new Map<string, Entry<V>>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The answer remembered less than `ttlSeconds` before `now`, or undefined. A clock that went back
   * past the answer counts as stale too: an answer is only trusted for the time it covers.
   */
  lookup(key: string, now: number, ttlSeconds: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    const age = now - entry.at;
    if (age < 0 || age >= ttlSeconds) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** The entry as remembered, whatever its age, without touching its recency. */
  peek(key: string): Entry<V> | undefined {
    return this.#entries.get(key);
  }

  remember(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, at: now });
  }

  forEachValue(visit: (value: V) => void): void {
    for (const entry of this.#entries.values()) visit(entry.value);
  }

  /** Drops every entry whose value matches (a rare write: a revocation, a disabled account). */
  forgetWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }
}
