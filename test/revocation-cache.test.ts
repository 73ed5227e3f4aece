// The denylist cache on its own: bounded (least recently used dropped first), answers expire after the
// TTL, a clock that went back trusts nothing, and a "not revoked" read racing this isolate's own
// revocation cannot undo it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RevocationCache } from "../src/storage/kv/revocation-cache";
import { denySessions, isSessionDenied } from "../src/storage/kv/revocation-store";

const NOW = 1_800_000_000;
const TTL = 5;

describe("RevocationCache", () => {
  it("holds at most maxEntries, dropping the least recently used first", () => {
    const cache = new RevocationCache(3);
    for (const id of ["a", "b", "c"]) cache.remember(id, false, NOW);
    expect(cache.lookup("a", NOW, TTL)).toBe(false); // a is now the most recent
    cache.remember("d", true, NOW);
    expect(cache.size).toBe(3);
    expect(cache.lookup("b", NOW, TTL)).toBeUndefined();
    expect(cache.lookup("a", NOW, TTL)).toBe(false);
    expect(cache.lookup("c", NOW, TTL)).toBe(false);
    expect(cache.lookup("d", NOW, TTL)).toBe(true);

    for (let index = 0; index < 1000; index += 1) cache.remember(`s${index}`, index % 2 === 0, NOW);
    expect(cache.size).toBe(3);
  });

  it("answers 'revoked' and 'not revoked' for less than the TTL, then forgets them", () => {
    const cache = new RevocationCache();
    cache.remember("live", false, NOW);
    cache.remember("dead", true, NOW);
    expect(cache.lookup("live", NOW + TTL - 1, TTL)).toBe(false);
    expect(cache.lookup("dead", NOW + TTL - 1, TTL)).toBe(true);
    expect(cache.lookup("live", NOW + TTL, TTL)).toBeUndefined();
    expect(cache.lookup("dead", NOW + TTL, TTL)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("trusts no answer from the future (a clock set back)", () => {
    const cache = new RevocationCache();
    cache.remember("live", false, NOW);
    expect(cache.lookup("live", NOW - 1, TTL)).toBeUndefined();
  });

  it("keeps this isolate's revocation when a 'not revoked' read that started before it lands after it", () => {
    const cache = new RevocationCache();
    cache.remember("sid", true, NOW);
    cache.remember("sid", false, NOW);
    expect(cache.lookup("sid", NOW, TTL)).toBe(true);
    // A read that started after the revocation's answer expired is KV's word again.
    cache.remember("sid", false, NOW + TTL);
    expect(cache.lookup("sid", NOW + TTL, TTL)).toBe(false);
  });
});

describe("isSessionDenied racing denySessions in one isolate", () => {
  it("refuses after a logout even when a check's KV read was in flight across it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowKv = new Proxy(env.KV, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        if (property === "get") {
          return async (...args: unknown[]) => {
            const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            await gate;
            return answer;
          };
        }
        return value.bind(target);
      },
    });
    const sid = crypto.randomUUID();
    const policy = { ttlSeconds: TTL, now: NOW };
    const inFlight = isSessionDenied(slowKv, sid, policy);
    await denySessions(slowKv, [sid], 900, NOW);
    release();
    expect(await inFlight).toBe(false);
    expect(await isSessionDenied(slowKv, sid, policy)).toBe(true);
  });
});
