// Owns the `revoked:` KV prefix: the denylist of access tokens (by jti) and of sessions (by sid).
// Entries live as long as the tokens they refuse could; KV rejects TTLs under 60 s, so we clamp.

const JTI_PREFIX = "revoked:jti:";
const SID_PREFIX = "revoked:sid:";
const KV_MINIMUM_TTL_SECONDS = 60;

function clampTtl(seconds: number): number {
  return Math.max(KV_MINIMUM_TTL_SECONDS, Math.ceil(seconds));
}

export async function denyAccessToken(kv: KVNamespace, jti: string, remainingSeconds: number): Promise<void> {
  if (remainingSeconds <= 0) return;
  await kv.put(`${JTI_PREFIX}${jti}`, "1", { expirationTtl: clampTtl(remainingSeconds) });
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

/** One bulk read for both keys. A KV failure throws: callers fail closed. */
export async function isAccessTokenDenied(kv: KVNamespace, jti: string, sessionId: string): Promise<boolean> {
  const values = await kv.get([`${JTI_PREFIX}${jti}`, `${SID_PREFIX}${sessionId}`]);
  for (const value of values.values()) if (value !== null) return true;
  return false;
}
