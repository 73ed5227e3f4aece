// The seam where API-key changes become security events. The security event log (issue 14, to come)
// replaces the body of `recordApiKeyEvent` with an append to `security_events` (time, actor, subject,
// IP, user agent), written after the response so it never fails the request; until then the change
// is one structured log line. Never given a secret: only ids.

import type { RequestScope } from "./context";

export type ApiKeyEventType = "api_key_created" | "api_key_rolled" | "api_key_revoked";

export interface ApiKeyEvent {
  type: ApiKeyEventType;
  /** The user who acted (today always the owner). */
  actorUserId: string;
  keyId: string;
  /** For a roll: the new key. */
  successorId?: string;
}

export function recordApiKeyEvent(_scope: RequestScope, event: ApiKeyEvent): void {
  const { type, actorUserId, keyId, successorId } = event;
  console.log(
    JSON.stringify({ event: type, actor: actorUserId, key: keyId, ...(successorId ? { successor: successorId } : {}) }),
  );
}
