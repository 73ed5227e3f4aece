// The native shape of an API key (snake_case, ISO 8601 times, never the secret or its hash); RPC's
// verifyApiKey answers the same shape.

import type { ApiKey } from "../services/api-key-model";

const isoTime = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

export type PublicApiKey = ReturnType<typeof toPublicApiKey>;

export function toPublicApiKey(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    prefix: key.prefix,
    organization_id: key.organizationId,
    created_by: key.createdBy,
    created_at: new Date(key.createdAt * 1000).toISOString(),
    expires_at: isoTime(key.expiresAt),
    last_used_at: isoTime(key.lastUsedAt),
    predecessor_id: key.predecessorId,
    successor_id: key.successorId,
    grace_ends_at: isoTime(key.graceEndsAt),
  };
}
