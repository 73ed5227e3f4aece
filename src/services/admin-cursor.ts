// The opaque cursor of the admin user list: the position (created_at, id) of a page's last user,
// base64url-encoded. It grants nothing (any position is a position in a list the admin may read), so
// it is not signed; it is only checked for shape, and anything else is refused as invalid_request.

import { decodeBase64Url, encodeBase64Url, utf8 } from "../crypto/encoding";

export interface ListPosition {
  createdAt: number;
  id: string;
}

/** Longer than any cursor this module writes (a UUID and a Unix time). */
const MAX_CURSOR_LENGTH = 200;
const MAX_ID_LENGTH = 64;
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function encodeCursor(position: ListPosition): string {
  return encodeBase64Url(utf8(JSON.stringify([position.createdAt, position.id])));
}

/** The position a cursor names, or null for anything this module did not write. */
export function decodeCursor(cursor: string): ListPosition | null {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) return null;
  const bytes = decodeBase64Url(cursor);
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAt, id] = value as unknown[];
  if (!Number.isSafeInteger(createdAt) || (createdAt as number) < 0) return null;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) return null;
  return { createdAt: createdAt as number, id };
}
