// The security event log's one way in: every service that changes an account's security records what
// happened here. Written after the response (the request scope's defer), so recording never fails the
// request that caused it; a failed write is logged (its reason, never a value). Never given a secret,
// a code, a token or a hash: ids, reason classes and the caller's IP and user agent only.

import { fail, type Result, succeed } from "../errors";
import type { SecurityEventRow } from "../storage/schema";
import { insertSecurityEvent, listSecurityEventRows } from "../storage/security-event-store";
import { classifyUnexpectedError } from "../unexpected-error";
import type { RequestScope, ServiceContext } from "./context";
import { decodeEventCursor, encodeEventCursor } from "./event-cursor";
import { recordedUserAgent } from "./input-limits";

export type SecurityEventType =
  | "sign_in_succeeded"
  | "sign_in_failed"
  | "lock_engaged"
  | "password_changed"
  | "password_reset"
  | "email_changed"
  | "email_verified"
  | "factor_added"
  | "factor_removed"
  | "session_revoked"
  | "refresh_reuse_detected"
  | "api_key_created"
  | "api_key_rolled"
  | "api_key_revoked"
  | "admin_action"
  | "org_member_added"
  | "org_member_role_changed"
  | "org_member_removed"
  | "identity_linked"
  | "identity_unlinked"
  | "org_member_status_changed";

export interface SecurityEvent {
  type: SecurityEventType;
  /** The account the event is about (absent for a failed sign-in of an unknown address). */
  subjectUserId?: string | null;
  /** Who acted: a user (the subject, an admin's owner) … */
  actorUserId?: string | null;
  /** … or an API key (an admin key, a client). */
  actorKeyId?: string | null;
  orgId?: string | null;
  /** Small, non-secret facts: a reason class, a factor kind, an admin action's name, a key id. */
  detail?: Record<string, string | number | boolean>;
}

/** An event as stored, for the readers (GET /v1/me/events, the admin API). */
export interface StoredSecurityEvent {
  id: string;
  type: SecurityEventType;
  /** Unix seconds. */
  createdAt: number;
  subjectUserId: string | null;
  actorUserId: string | null;
  actorKeyId: string | null;
  orgId: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, string | number | boolean>;
}

export interface SecurityEventQuery {
  subjectUserId?: string;
  orgId?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Default 50, at most 100. */
  limit?: number;
}

export interface SecurityEventPage {
  events: StoredSecurityEvent[];
  /** Absent on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_EVENT_PAGE = 50;
export const MAX_EVENT_PAGE = 100;
/** Bounds on `detail`: a few short facts, never a blob. */
const MAX_DETAIL_ENTRIES = 8;
const MAX_DETAIL_TEXT = 64;
const MAX_IP_LENGTH = 64;

/** `detail` cut to its bounds: at most 8 entries, keys and text values at most 64 characters. */
/**
 * A UUIDv7 (RFC 9562 §5.7): the time in milliseconds, then random bits. Ids then sort as the events
 * happened, so "newest first" holds within one second too (created_at is in seconds).
 */
function eventId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let millis = Date.now();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = millis % 256;
    millis = Math.floor(millis / 256);
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function boundedDetail(detail: SecurityEvent["detail"]): string {
  const entries = Object.entries(detail ?? {})
    .slice(0, MAX_DETAIL_ENTRIES)
    .map(([key, value]) => [
      key.slice(0, MAX_DETAIL_TEXT),
      typeof value === "string" ? value.slice(0, MAX_DETAIL_TEXT) : value,
    ]);
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Appends `event` after the response. Without a scope (a caller that has none, such as RPC), the
 * write is started at once and not awaited: it still never fails the caller.
 */
export function recordSecurityEvent(
  context: ServiceContext,
  scope: RequestScope | undefined,
  event: SecurityEvent,
): void {
  const row = {
    id: eventId(),
    createdAt: context.now(),
    type: event.type,
    subjectUserId: event.subjectUserId ?? null,
    actorUserId: event.actorUserId ?? null,
    actorKeyId: event.actorKeyId ?? null,
    orgId: event.orgId ?? null,
    ip: scope?.client?.ip?.slice(0, MAX_IP_LENGTH) ?? null,
    userAgent: recordedUserAgent(scope?.client?.userAgent ?? null),
    detail: boundedDetail(event.detail),
  };
  const write = insertSecurityEvent(context.db, row).catch((error: unknown) => {
    // The reason class only: a storage message may carry SQL parameters.
    const reason = classifyUnexpectedError(error).code;
    console.error(JSON.stringify({ event: "security_event_write_failed", type: event.type, reason }));
  });
  scope?.defer(write);
}

function toStoredEvent(row: SecurityEventRow): StoredSecurityEvent {
  let detail: StoredSecurityEvent["detail"] = {};
  try {
    detail = JSON.parse(row.detail) as StoredSecurityEvent["detail"];
  } catch {
    // Written by this module only; an unreadable one reads as no detail rather than failing the page.
  }
  return { ...row, type: row.type as SecurityEventType, detail };
}

/**
 * One page of events, newest first: a subject's, an organization's, or (neither given) everyone's.
 * `invalid_request` naming `cursor` for a cursor this service did not issue.
 */
export async function listSecurityEvents(
  context: ServiceContext,
  query: SecurityEventQuery,
): Promise<Result<SecurityEventPage>> {
  const limit = Math.min(MAX_EVENT_PAGE, Math.max(1, Math.floor(query.limit ?? DEFAULT_EVENT_PAGE)));
  const after = query.cursor === undefined ? undefined : decodeEventCursor(query.cursor);
  if (after === null) {
    return fail("invalid_request", { issues: [{ field: "cursor", message: "is not a cursor this API issued" }] });
  }
  const rows = await listSecurityEventRows(context.db, {
    ...(query.subjectUserId === undefined ? {} : { subjectUserId: query.subjectUserId }),
    ...(query.orgId === undefined ? {} : { orgId: query.orgId }),
    ...(after ? { after } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeEventCursor(last) : null;
  return succeed({ events: page.map(toStoredEvent), nextCursor });
}
