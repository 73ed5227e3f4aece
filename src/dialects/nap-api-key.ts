// NAP's client keys (DIALECT_NAP_API_KEYS): when the operator configured any, every NAP path asks for
// one in X-NAP-API-Key, before any other work; when none is configured, none is needed (the SDK sends
// none by default). The origin's own answers, `{"error": "Missing API key"}` and `{"error": "Invalid
// API key"}`, both 401. Keys are compared as SHA-256 digests in constant time, against every key.

import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "../crypto/constant-time";
import type { AppEnv } from "../routes/http/app-env";
import { logRefusal } from "../routes/http/problem";

export const API_KEY_HEADER = "X-NAP-API-Key";

const encoder = new TextEncoder();
const digestOf = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/** True when `presented` is one of `keys`; the time taken depends on the number of keys only. */
async function isOneOf(presented: string, keys: readonly string[]): Promise<boolean> {
  const digest = await digestOf(presented);
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(digest, await digestOf(key)) || matched;
  return matched;
}

export const requireNapApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const keys = c.get("services").config.dialectPolicy.napApiKeys;
  if (keys.length === 0) return next();
  const presented = c.req.header(API_KEY_HEADER);
  const refusal = !presented ? "Missing API key" : (await isOneOf(presented, keys)) ? null : "Invalid API key";
  if (refusal) {
    logRefusal({ code: "invalid_token", reason: `NAP client key: ${refusal}` });
    return c.json({ error: refusal }, 401, { "Cache-Control": "no-store" });
  }
  await next();
};
