// Django's default hasher: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`. The salt is text used
// as its UTF-8 bytes, the hash is the 32-byte PBKDF2-HMAC-SHA256 of the password's UTF-8 bytes
// (Django does not normalize passwords, so neither does this check).

import { timingSafeEqual } from "../constant-time";
import { decodeBase64, utf8 } from "../encoding";
import { boundedInteger } from "./legacy-encoding";
import { PBKDF2_MAX_ITERATIONS, pbkdf2 } from "./pbkdf2";

export const DJANGO_PBKDF2_PREFIX = "pbkdf2_sha256$";

export interface DjangoPbkdf2Hash {
  iterations: number;
  salt: Uint8Array;
  key: Uint8Array;
}

export function parseDjangoPbkdf2(stored: string): DjangoPbkdf2Hash | null {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== "pbkdf2_sha256") return null;
  const iterations = boundedInteger(parts[1], 1, PBKDF2_MAX_ITERATIONS);
  const saltText = parts[2] ?? "";
  const key = decodeBase64(parts[3] ?? "");
  // Django's salts are alphanumeric; anything printable is accepted, never more than 128 characters.
  if (!iterations || !/^[\x21-\x7e]{1,128}$/.test(saltText) || key?.length !== 32) return null;
  return { iterations, salt: utf8(saltText), key };
}

export async function verifyDjangoPbkdf2(password: string, hash: DjangoPbkdf2Hash): Promise<boolean> {
  const derived = await pbkdf2("SHA-256", utf8(password), hash.salt, hash.iterations, 32);
  return timingSafeEqual(derived, hash.key);
}
