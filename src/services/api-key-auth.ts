// Authenticating a request by an API key. The checksum refuses a mistyped key before any work; then
// one indexed D1 read of HMAC(API_KEY_SECRET, key). Unknown, revoked, expired, rolled-past-grace,
// mistyped keys and keys of disabled accounts all answer the same invalid_api_key; a key without the
// route's scope answers insufficient_scope. Each accepted use counts against the key's own limit
// (RATE_LIMIT_API_KEY), and `last_used_at` is written after the response, at most once per
// LAST_USED_WRITE_INTERVAL_SECONDS (never on every request: that is a write storm on a hot key).

import { hashApiKey, isWellFormedApiKey } from "../crypto/api-key-format";
import { fail, type Result, succeed } from "../errors";
import { apiKeyCacheFor, type FoundApiKey, markUsed } from "../storage/api-key-cache";
import { findUsableApiKey, touchApiKeyLastUsed } from "../storage/api-key-store";
import { type ApiKeyPrincipal, toApiKey } from "./api-key-model";
import type { ApiKeyScope } from "./api-key-scopes";
import type { RequestScope, ServiceContext } from "./context";
import { toUser } from "./model";

export const LAST_USED_WRITE_INTERVAL_SECONDS = 300;

/** Usable at `now` as D1's usableKeyCondition judges it, for a remembered row. */
const stillUsable = ({ key }: FoundApiKey, now: number): boolean =>
  key.revokedAt === null &&
  (key.expiresAt === null || key.expiresAt > now) &&
  (key.graceEndsAt === null || key.graceEndsAt > now);

/** The usable key with this hash: remembered by this isolate for API_KEY_CACHE_TTL_SECONDS, else one D1 read. */
async function lookUp(context: ServiceContext, secretHash: string): Promise<FoundApiKey | undefined> {
  const now = context.now();
  const ttl = context.config.apiKeyCacheTtlSeconds;
  const cache = apiKeyCacheFor(context.db.$client);
  const remembered = ttl > 0 ? cache.lookup(secretHash, now, ttl) : undefined;
  if (remembered !== undefined) return remembered !== null && stillUsable(remembered, now) ? remembered : undefined;
  const found = await findUsableApiKey(context.db, secretHash, now);
  if (ttl > 0) cache.remember(secretHash, found ?? null, now);
  return found;
}

/** The key's owner and record, or invalid_api_key: no rate limit, no scope, no write (RPC's verifyApiKey). */
export async function identifyApiKey(context: ServiceContext, presented: string): Promise<Result<ApiKeyPrincipal>> {
  if (!isWellFormedApiKey(presented)) return fail("invalid_api_key", { reason: "malformed or checksum mismatch" });
  const found = await lookUp(context, await hashApiKey(context.apiKeyHashKey, presented));
  if (!found) return fail("invalid_api_key", { reason: "unknown, revoked, expired or owner gone" });
  const key = toApiKey(found.key);
  if (found.user) return succeed({ kind: "api_key", key, user: toUser(found.user), organization: null });
  const { id, slug, name } = found.organization;
  return succeed({ kind: "api_key", key, user: null, organization: { id, slug, name } });
}

/** Stamps the use after the response, when the stamp read with the key is older than the interval. */
function recordUse(context: ServiceContext, principal: ApiKeyPrincipal, scope: RequestScope): void {
  const now = context.now();
  const { id, lastUsedAt } = principal.key;
  if (lastUsedAt !== null && lastUsedAt > now - LAST_USED_WRITE_INTERVAL_SECONDS) return;
  // A remembered row would otherwise ask for the write on every use until it ages out.
  markUsed(context.db.$client, id, now);
  scope.defer(
    touchApiKeyLastUsed(context.db, id, now, LAST_USED_WRITE_INTERVAL_SECONDS).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : "unknown";
      console.error(JSON.stringify({ event: "api_key_last_used_failed", key: id, reason }));
    }),
  );
}

/**
 * The principal of a request that presented `presented` as its API key, for an operation that needs
 * `required` (none: any usable key, e.g. the client_credentials exchange).
 */
export async function authenticateApiKey(
  context: ServiceContext,
  presented: string,
  scope: RequestScope,
  required?: ApiKeyScope,
): Promise<Result<ApiKeyPrincipal>> {
  const identified = await identifyApiKey(context, presented);
  if (!identified.ok) return identified;
  const principal = identified.value;
  const { success } = await context.rateLimiters.apiKey.limit({ key: principal.key.id });
  if (!success) return fail("rate_limited", { reason: "per-key limit" });
  recordUse(context, principal, scope);
  if (required && !principal.key.scopes.includes(required)) {
    return fail("insufficient_scope", { reason: `key lacks ${required}` });
  }
  return succeed(principal);
}
