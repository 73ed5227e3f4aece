// The per-isolate cache of denylist answers: a revocation is refused at once on /v1/me and, when this
// isolate wrote it, by /v1/token/verify and RPC too; one written elsewhere within the TTL; answers of
// either kind expire; KV failures are never remembered; DENYLIST_CACHE_TTL_SECONDS is read and bounded.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { parseConfig } from "../src/config";
import { getServiceContext } from "../src/context";
import { introspectAccessToken } from "../src/services/token-verification";
import { me, sessionOf, signUp } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { call, callWith, readJson } from "./support/http";

/** The test env's TTL: DENYLIST_CACHE_TTL_SECONDS is not set, so the default. */
const TTL_SECONDS = 5;

/** The real KV behind another object: its own cache, as another isolate has; reads are counted. */
function countingKv(): { kv: KVNamespace; reads: () => number } {
  let reads = 0;
  const kv = new Proxy(env.KV, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "get") {
        return (...args: unknown[]) => {
          reads += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { kv, reads: () => reads };
}

const verifyWith = async (bindings: Bindings, token: string) =>
  readJson(await callWith(bindings, "POST", "/v1/token/verify", { json: { token } }));
const verify = async (token: string) => readJson(await call("POST", "/v1/token/verify", { json: { token } }));

describe("a session revoked by this isolate", () => {
  it("is refused at once by /v1/me, /v1/token/verify and RPC, though 'not revoked' was cached just before", async () => {
    freezeClock();
    const account = await signUp();
    const token = account.tokens.access_token;
    expect(await verify(token)).toMatchObject({ active: true });
    expect(await exports.AuthService.verifyToken(token)).toMatchObject({ valid: true });

    expect((await call("POST", "/v1/logout", { token })).status).toBe(204);

    expect(await verify(token)).toEqual({ active: false });
    expect(await exports.AuthService.verifyToken(token)).toEqual({ valid: false, code: "token_revoked" });
    expect((await me(token)).status).toBe(401);
  });
});

describe("a session revoked by another isolate", () => {
  it("is refused at once by /v1/me, and by /v1/token/verify and RPC once the TTL has passed", async () => {
    freezeClock();
    const account = await signUp();
    const token = account.tokens.access_token;
    expect(await verify(token)).toMatchObject({ active: true });

    // Another isolate: the same D1 and KV behind other binding objects, so our cache never hears of it.
    const elsewhere: Bindings = { ...env, KV: countingKv().kv };
    expect((await callWith(elsewhere, "POST", "/v1/logout", { token })).status).toBe(204);
    expect(await env.KV.get(`revoked:sid:${sessionOf(token)}`)).not.toBeNull();

    expect((await me(token)).status).toBe(401);
    // Within the TTL this isolate still answers from its cache: the documented bound, not a leak.
    advanceClock(TTL_SECONDS - 1);
    expect(await verify(token)).toMatchObject({ active: true });

    advanceClock(1);
    expect(await verify(token)).toEqual({ active: false });
    expect(await exports.AuthService.verifyToken(token)).toEqual({ valid: false, code: "token_revoked" });
  });
});

describe("the cache's answers", () => {
  it("spare KV reads within the TTL, 'not revoked' and 'revoked' alike, and expire after it", async () => {
    freezeClock();
    const { kv, reads } = countingKv();
    const bindings: Bindings = { ...env, KV: kv };
    const live = (await signUp()).tokens.access_token;
    const revoked = (await signUp()).tokens.access_token;
    expect((await callWith({ ...env, KV: countingKv().kv }, "POST", "/v1/logout", { token: revoked })).status).toBe(
      204,
    );

    for (let round = 0; round < 3; round += 1) {
      expect(await verifyWith(bindings, live)).toMatchObject({ active: true });
      expect(await verifyWith(bindings, revoked)).toEqual({ active: false });
    }
    expect(reads()).toBe(2);

    advanceClock(TTL_SECONDS);
    expect(await verifyWith(bindings, live)).toMatchObject({ active: true });
    expect(await verifyWith(bindings, revoked)).toEqual({ active: false });
    expect(reads()).toBe(4);
  });

  it("read KV for every check when DENYLIST_CACHE_TTL_SECONDS is 0", async () => {
    const { kv, reads } = countingKv();
    const bindings: Bindings = { ...env, KV: kv, DENYLIST_CACHE_TTL_SECONDS: "0" } as Bindings;
    const token = (await signUp()).tokens.access_token;
    for (let round = 0; round < 3; round += 1)
      expect(await verifyWith(bindings, token)).toMatchObject({ active: true });
    expect(reads()).toBe(3);
  });

  it("never remember a KV failure: the next check reads KV again", async () => {
    let failing = true;
    const flaky = new Proxy(env.KV, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === "get" && failing) return () => Promise.reject(new Error("KV GET failed: 503"));
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const context = await getServiceContext({ ...env, KV: flaky });
    const token = (await signUp()).tokens.access_token;
    expect(await introspectAccessToken(context, token)).toEqual({ active: false, rejection: "verifier_unavailable" });
    failing = false;
    expect(await introspectAccessToken(context, token)).toMatchObject({ active: true });
  });
});

describe("DENYLIST_CACHE_TTL_SECONDS", () => {
  const base = env as unknown as Record<string, unknown>;

  it("defaults to 5 seconds and accepts 0 (off) up to 60", () => {
    expect(parseConfig({ ...base, DENYLIST_CACHE_TTL_SECONDS: undefined }).denylistCacheTtlSeconds).toBe(5);
    expect(parseConfig({ ...base, DENYLIST_CACHE_TTL_SECONDS: "0" }).denylistCacheTtlSeconds).toBe(0);
    expect(parseConfig({ ...base, DENYLIST_CACHE_TTL_SECONDS: "60" }).denylistCacheTtlSeconds).toBe(60);
  });

  it("refuses a value past 60 s or not a whole number, naming the variable", () => {
    for (const value of ["61", "-1", "2.5", "five", ""]) {
      expect(() => parseConfig({ ...base, DENYLIST_CACHE_TTL_SECONDS: value })).toThrow(/DENYLIST_CACHE_TTL_SECONDS/);
    }
  });
});
