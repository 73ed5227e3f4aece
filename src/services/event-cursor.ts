// The opaque cursor of the security event log's pages: the last event's (created_at, id), base64url.
// Opaque to clients (only ever handed back); anything this module did not write is refused.

import { decodeBase64Url, encodeBase64Url, utf8 } from "../crypto/encoding";
import type { EventPosition } from "../storage/security-event-store";

const POSITION = /^(\d{1,12})\.([0-9a-f-]{36})$/;
/** Longer than any cursor we issue: refused before decoding. */
export const MAX_EVENT_CURSOR_LENGTH = 80;

export function encodeEventCursor(position: EventPosition): string {
  return encodeBase64Url(utf8(`${position.createdAt}.${position.id}`));
}

/** The position a cursor names, or null for anything that is not one of ours. */
export function decodeEventCursor(cursor: string): EventPosition | null {
  if (cursor.length === 0 || cursor.length > MAX_EVENT_CURSOR_LENGTH) return null;
  const bytes = decodeBase64Url(cursor);
  if (!bytes) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
  const match = POSITION.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const position = { createdAt: Number(match[1]), id: match[2] };
  // One spelling per position: a cursor we did not write byte for byte is not ours.
  return encodeEventCursor(position) === cursor ? position : null;
}
