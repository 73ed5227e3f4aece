// One-time codes and link tokens. Codes are uniform decimal strings drawn by rejection sampling
// (no modulo bias); only keyed hashes are stored, so a database dump cannot be brute-forced
// offline over the small code space without the OTP_SECRET.

import { encodeBase64Url, utf8 } from "./encoding";
import { randomBytes } from "./random";

export function generateNumericCode(length: number): string {
  let code = "";
  while (code.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 250 = 25 * 10: bytes 250..255 would favour 0..5, so they are drawn again.
      if (byte < 250 && code.length < length) code += String(byte % 10);
    }
  }
  return code;
}

/** 128 random bits for links sent by mail (base64url, 22 characters). */
export function generateLinkToken(): string {
  return encodeBase64Url(randomBytes(16));
}

export async function importCodeHashKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** HMAC-SHA256 over purpose-bound input: a code hash for one request id never matches another. */
export async function hashOneTimeSecret(key: CryptoKey, scope: string, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, utf8(`${scope}\u0000${secret}`));
  return encodeBase64Url(new Uint8Array(mac));
}
