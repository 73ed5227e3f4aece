// Owns the `revoked:` KV prefix: the denylist of sessions (by sid). Every access token names its
// session, so one key per session refuses all of its tokens, and verification reads one key.
// Entries live as long as the tokens they refuse could; KV rejects TTLs under 60 s, so we clamp.

const SID_PREFIX = "revoked:sid:";
const KV_MINIMUM_TTL_SECONDS = 60;

function clampTtl(seconds: number): number {
  return Math.max(KV_MINIMUM_TTL_SECONDS, Math.ceil(seconds));
}

/** Every access token of these sessions is refused for as long as one could still be valid. */
export async function denySessions(
  kv: KVNamespace,
  sessionIds: string[],
  accessTokenTtlSeconds: number,
): Promise<void> {
  const ttl = clampTtl(accessTokenTtlSeconds);
  await Promise.all(sessionIds.map((id) => kv.put(`${SID_PREFIX}${id}`, "1", { expirationTtl: ttl })));
}

/** One KV read. A KV failure throws: callers fail closed. */
export async function isSessionDenied(kv: KVNamespace, sessionId: string): Promise<boolean> {
  return (await kv.get(`${SID_PREFIX}${sessionId}`)) !== null;
}
