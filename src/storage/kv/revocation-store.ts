// The denylist of sessions (by sid), under the `revoked:sid:` prefix of keys.ts. Every access token
// names its session, so one key per session refuses all of its tokens, and verification reads one key.

import { revokedSessionKey, revokedSessionTtl } from "./keys";

/** Every access token of these sessions is refused for as long as one could still be valid. */
export async function denySessions(
  kv: KVNamespace,
  sessionIds: string[],
  accessTokenTtlSeconds: number,
): Promise<void> {
  const ttl = revokedSessionTtl(accessTokenTtlSeconds);
  await Promise.all(sessionIds.map((id) => kv.put(revokedSessionKey(id), "1", { expirationTtl: ttl })));
}

/** One KV read. A KV failure throws: callers fail closed. */
export async function isSessionDenied(kv: KVNamespace, sessionId: string): Promise<boolean> {
  return (await kv.get(revokedSessionKey(sessionId))) !== null;
}
