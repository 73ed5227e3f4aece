// werkzeug's generate_password_hash strings: `pbkdf2:sha256:<iterations>$<salt>$<hex>` and
// `scrypt:<n>:<r>:<p>$<salt>$<hex>`. The salt is text used as its UTF-8 bytes; the key is the
// digest's size for PBKDF2 and 64 bytes for scrypt (hashlib's defaults werkzeug relies on).
// scrypt runs natively (node:crypto) only inside production's cap, N·r·p ≤ 2^20; above it the hash
// is unverifiable: a pure-JS scrypt that large would need over 128 MiB, more than an isolate has.

import { timingSafeEqual } from "../constant-time";
import { utf8 } from "../encoding";
import { type ScryptParams, scrypt } from "../scrypt";
import { boundedInteger, decodeHex } from "./legacy-encoding";
import { DIGEST_BYTES, MAX_ITERATIONS, type Pbkdf2Digest, pbkdf2 } from "./pbkdf2";

export const WERKZEUG_PREFIXES = ["pbkdf2:", "scrypt:"] as const;

/** Production's cap on node:crypto scrypt (the same one our own hashes keep). */
export const NATIVE_SCRYPT_COST_LIMIT = 2 ** 20;

const DIGESTS: Record<string, Pbkdf2Digest> = { sha256: "SHA-256", sha512: "SHA-512" };

export type WerkzeugHash =
  | { kind: "pbkdf2"; digest: Pbkdf2Digest; iterations: number; salt: Uint8Array; key: Uint8Array }
  | { kind: "scrypt"; params: ScryptParams; salt: Uint8Array; key: Uint8Array };

export function parseWerkzeug(stored: string): WerkzeugHash | null {
  const parts = stored.split("$");
  if (parts.length !== 3) return null;
  const method = (parts[0] ?? "").split(":");
  const saltText = parts[1] ?? "";
  const key = decodeHex(parts[2] ?? "");
  if (!/^[\x21-\x7e]{1,128}$/.test(saltText) || !key) return null;
  const salt = utf8(saltText);
  if (method[0] === "pbkdf2" && method.length === 3) {
    const digest = DIGESTS[method[1] ?? ""];
    const iterations = digest ? boundedInteger(method[2], 1, MAX_ITERATIONS[digest]) : null;
    if (!digest || !iterations || key.length !== DIGEST_BYTES[digest]) return null;
    return { kind: "pbkdf2", digest, iterations, salt, key };
  }
  if (method[0] === "scrypt" && method.length === 4) {
    const n = boundedInteger(method[1], 2, 2 ** 20);
    const blockSize = boundedInteger(method[2], 1, 32);
    const parallelism = boundedInteger(method[3], 1, 16);
    if (!n || !blockSize || !parallelism || (n & (n - 1)) !== 0) return null;
    const params = { logN: Math.log2(n), blockSize, parallelism };
    if (n * blockSize * parallelism > NATIVE_SCRYPT_COST_LIMIT || key.length < 16 || key.length > 64) return null;
    return { kind: "scrypt", params, salt, key };
  }
  return null;
}

export async function verifyWerkzeug(password: string, hash: WerkzeugHash): Promise<boolean> {
  const bytes = utf8(password);
  const derived =
    hash.kind === "pbkdf2"
      ? await pbkdf2(hash.digest, bytes, hash.salt, hash.iterations, hash.key.length)
      : await scrypt(bytes, hash.salt, hash.params, hash.key.length);
  return timingSafeEqual(derived, hash.key);
}
