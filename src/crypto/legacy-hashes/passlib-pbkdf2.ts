// passlib's PBKDF2 hashes: `$pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 hash>` (and its -sha512
// sibling). Salt and hash are raw bytes in passlib's adapted base64; the password is its UTF-8 bytes.

import { timingSafeEqual } from "../constant-time";
import { utf8 } from "../encoding";
import { boundedInteger, decodeAdaptedBase64 } from "./legacy-encoding";
import { DIGEST_BYTES, MAX_ITERATIONS, type Pbkdf2Digest, pbkdf2 } from "./pbkdf2";

export const PASSLIB_PBKDF2_PREFIXES = ["$pbkdf2-sha256$", "$pbkdf2-sha512$"] as const;

const DIGESTS: Record<string, Pbkdf2Digest> = { "pbkdf2-sha256": "SHA-256", "pbkdf2-sha512": "SHA-512" };

export interface PasslibPbkdf2Hash {
  digest: Pbkdf2Digest;
  iterations: number;
  salt: Uint8Array;
  key: Uint8Array;
}

export function parsePasslibPbkdf2(stored: string): PasslibPbkdf2Hash | null {
  const parts = stored.split("$");
  const digest = DIGESTS[parts[1] ?? ""];
  if (parts.length !== 5 || parts[0] !== "" || !digest) return null;
  const iterations = boundedInteger(parts[2], 1, MAX_ITERATIONS[digest]);
  const salt = decodeAdaptedBase64(parts[3] ?? "");
  const key = decodeAdaptedBase64(parts[4] ?? "");
  if (!iterations || !salt || salt.length < 1 || salt.length > 64 || key?.length !== DIGEST_BYTES[digest]) return null;
  return { digest, iterations, salt, key };
}

export async function verifyPasslibPbkdf2(password: string, hash: PasslibPbkdf2Hash): Promise<boolean> {
  const derived = await pbkdf2(hash.digest, utf8(password), hash.salt, hash.iterations, hash.key.length);
  return timingSafeEqual(derived, hash.key);
}
