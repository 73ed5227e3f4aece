// The native shape of a security event (snake_case, RFC 3339 times, who acted as {type, id}); the
// admin API answers the same shape.

import type { StoredSecurityEvent } from "../services/security-events";

export type PublicSecurityEvent = ReturnType<typeof toPublicSecurityEvent>;

type Actor = { type: "user" | "api_key" | "admin"; id: string | null } | null;

/** An operator's action is "admin" (its key, or null over RPC); else the key or the user that acted. */
function actorOf(event: StoredSecurityEvent): Actor {
  if (event.type === "admin_action") return { type: "admin", id: event.actorKeyId ?? event.actorUserId };
  if (event.actorKeyId) return { type: "api_key", id: event.actorKeyId };
  if (event.actorUserId) return { type: "user", id: event.actorUserId };
  return null;
}

export function toPublicSecurityEvent(event: StoredSecurityEvent) {
  return {
    id: event.id,
    type: event.type,
    created_at: new Date(event.createdAt * 1000).toISOString(),
    ip: event.ip,
    user_agent: event.userAgent,
    actor: actorOf(event),
    detail: event.detail,
  };
}
