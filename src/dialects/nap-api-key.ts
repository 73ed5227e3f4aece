// NAP's client keys: when the operator configured any (DIALECT_NAP_API_KEYS) or asked for them
// (DIALECT_NAP_REQUIRE_API_KEY), every NAP path asks for one in X-NAP-API-Key, before any other work;
// otherwise none is needed (the SDK sends none by default). A key is one of the configured secrets
// (compared as SHA-256 digests in constant time, against every one), or an edge-auth API key holding
// the `nap` scope (checked, limited and stamped as every API key is). The origin's own answers,
// `{"error": "Missing API key"}` and `{"error": "Invalid API key"}`, both 401; a key over its own
// rate limit answers NAP's 429.

import type { Context, MiddlewareHandler } from "hono";
import { API_KEY_PREFIX } from "../crypto/api-key-format";
import { timingSafeEqual } from "../crypto/constant-time";
import { AppError } from "../errors";
import { MAX_PRESENTED_KEY_LENGTH } from "../routes/http/api-key-auth";
import type { AppEnv } from "../routes/http/app-env";
import { logRefusal } from "../routes/http/problem";
import { requestScope } from "../routes/http/request-scope";
import { authenticateApiKey } from "../services/api-key-auth";

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

/** Null when `presented` is a configured secret or a usable API key with the `nap` scope; else why not. */
async function refusalOf(c: Context<AppEnv>, presented: string): Promise<string | null> {
  const services = c.get("services");
  if (presented.startsWith(API_KEY_PREFIX)) {
    const result = await authenticateApiKey(services, presented, requestScope(c), "nap");
    if (result.ok) return null;
    if (result.error.code === "rate_limited") throw new AppError(result.error);
    return "Invalid API key";
  }
  return (await isOneOf(presented, services.config.dialectPolicy.napApiKeys)) ? null : "Invalid API key";
}

export const requireNapApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("services").config.dialectPolicy.napApiKeyRequired) return next();
  const presented = c.req.header(API_KEY_HEADER)?.trim();
  const refusal = !presented ? "Missing API key" : await refusalOf(c, presented.slice(0, MAX_PRESENTED_KEY_LENGTH));
  if (refusal) {
    logRefusal({ code: "invalid_token", reason: `NAP client key: ${refusal}` });
    return c.json({ error: refusal }, 401, { "Cache-Control": "no-store" });
  }
  await next();
};
