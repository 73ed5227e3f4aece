// PBKDF2-HMAC for imported hashes (Django, passlib, werkzeug). Production Workers refuse more than
// 100,000 iterations in both WebCrypto and node:crypto, and current Django writes up to 1,200,000:
// above the cap SHA-256 (every Django, passlib and werkzeug default) runs in JavaScript
// (./pbkdf2-sha256.ts). At or below it, WebCrypto does the work natively, SHA-256 or SHA-512. A
// SHA-512 count above the cap (no project's default) is unverifiable: a JavaScript SHA-512 would
// add about 4 KB gzip to every bundle for hashes nobody is known to have. Local workerd has no cap,
// so this module is the one place that decides, and the tests hold it to the cap.

import { pbkdf2Sha256 } from "./pbkdf2-sha256";

/** The most iterations production's WebCrypto and node:crypto accept. */
export const WEBCRYPTO_PBKDF2_LIMIT = 100_000;
/**
 * Beyond this an imported hash is unverifiable: about 0.9 s of CPU for SHA-256 in ./pbkdf2-sha256.ts
 * (measured in local workerd), well inside what one login may burn. 1,200,000 is Django 6.0's default, the
 * highest any Django release writes, and above werkzeug's and passlib's.
 */
export const PBKDF2_MAX_ITERATIONS = 1_200_000;

export type Pbkdf2Digest = "SHA-256" | "SHA-512";

export const DIGEST_BYTES: Record<Pbkdf2Digest, number> = { "SHA-256": 32, "SHA-512": 64 };

/** The most iterations a stored hash may ask of `digest` (SHA-512 runs on WebCrypto only). */
export const MAX_ITERATIONS: Record<Pbkdf2Digest, number> = {
  "SHA-256": PBKDF2_MAX_ITERATIONS,
  "SHA-512": WEBCRYPTO_PBKDF2_LIMIT,
};

/** Which engine a count runs on: exported so tests can check the cap without timing anything. */
export function pbkdf2Engine(iterations: number): "webcrypto" | "javascript" {
  return iterations <= WEBCRYPTO_PBKDF2_LIMIT ? "webcrypto" : "javascript";
}

export async function pbkdf2(
  digest: Pbkdf2Digest,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
): Promise<Uint8Array> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) {
    throw new RangeError("PBKDF2 iterations out of bounds");
  }
  return pbkdf2On(pbkdf2Engine(iterations), digest, password, salt, iterations, keyLength);
}

/** One engine, chosen by the caller: exported so tests can hold JavaScript to WebCrypto's answers cheaply. */
export async function pbkdf2On(
  engine: "webcrypto" | "javascript",
  digest: Pbkdf2Digest,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
): Promise<Uint8Array> {
  if (engine === "javascript") {
    if (digest !== "SHA-256") throw new RangeError("PBKDF2-SHA512 above the WebCrypto cap is not supported");
    return pbkdf2Sha256(password, salt, iterations, keyLength);
  }
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: digest, salt, iterations }, key, keyLength * 8);
  return new Uint8Array(bits);
}
