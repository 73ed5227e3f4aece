// Every KV key this Worker writes: each prefix, how its keys are built, and its TTL, in one place, so
// no two stores can collide on a prefix and none writes a TTL KV rejects. docs/storage.md lists them.

/** KV refuses `expirationTtl` under 60 s. */
export const KV_MINIMUM_TTL_SECONDS = 60;

/** A TTL KV accepts: whole seconds, at least its minimum. */
export function clampKvTtl(seconds: number): number {
  return Math.max(KV_MINIMUM_TTL_SECONDS, Math.ceil(seconds));
}

/** The denylist (src/storage/kv/revocation-store.ts): one key per revoked session id. */
export const REVOKED_SESSION_PREFIX = "revoked:sid:";

export function revokedSessionKey(sessionId: string): string {
  return `${REVOKED_SESSION_PREFIX}${sessionId}`;
}

/** As long as an access token of the session could still be valid, and never under KV's minimum. */
export function revokedSessionTtl(accessTokenTtlSeconds: number): number {
  return clampKvTtl(accessTokenTtlSeconds);
}

/** The dev outbox (src/storage/kv/outbox-store.ts): captured mail and SMS. */
export const OUTBOX_PREFIX = "outbox:";
/** Long enough to finish a flow the next morning. */
export const OUTBOX_TTL_SECONDS = clampKvTtl(86_400);

// KV lists keys in byte order, so the inverted, zero-padded time makes the newest sort first.
const TIMESTAMP_CEILING_MS = 9_999_999_999_999;
const TIMESTAMP_DIGITS = 13;

/** Messages kept in the same millisecond by this isolate still list newest first (inverted too). */
let outboxSequence = 0;
const SEQUENCE_CEILING = 999_999;

export function outboxKey(nowMs: number, id: string): string {
  const inverted = String(TIMESTAMP_CEILING_MS - nowMs).padStart(TIMESTAMP_DIGITS, "0");
  outboxSequence = (outboxSequence + 1) % SEQUENCE_CEILING;
  const sequence = String(SEQUENCE_CEILING - outboxSequence).padStart(6, "0");
  return `${OUTBOX_PREFIX}${inverted}:${sequence}:${id}`;
}
