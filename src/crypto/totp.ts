// HOTP (RFC 4226) and TOTP (RFC 6238) over WebCrypto HMAC-SHA1, and base32 (RFC 4648 §6, no
// padding) for the secrets authenticator apps read. SHA-1 is what every authenticator app
// implements for TOTP; HMAC-SHA1 has no known weakness that matters here (RFC 4226 Appendix A.4).

import { timingSafeEqual } from "./constant-time";
import { utf8 } from "./encoding";

/** RFC 6238 §5.2 recommends 30 seconds. */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now, for clock drift and typing time (RFC 6238 §5.2: at most one). */
export const TOTP_WINDOW_STEPS = 1;

export const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function encodeBase32(bytes: Uint8Array): string {
  let output = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) output += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}

/** Case-insensitive; spaces and trailing `=` are tolerated as apps display them. Null if not base32. */
export function decodeBase32(text: string): Uint8Array | null {
  const clean = text.replace(/[\s]/g, "").replace(/=+$/, "").toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Uint8Array.from(bytes);
}

export function importHotpKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

/** RFC 4226 §5.3: HMAC-SHA1 over the 8-byte big-endian counter, dynamic truncation, mod 10^digits. */
export async function generateHotp(key: CryptoKey, counter: number, digits = TOTP_DIGITS): Promise<string> {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError("HOTP counter out of range");
  const message = new Uint8Array(8);
  const view = new DataView(message.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter % 2 ** 32);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = new DataView(mac.buffer).getUint32(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** RFC 6238 §4.2: T = floor((now - T0) / X) with T0 = 0. */
export function totpStepAt(unixSeconds: number): number {
  return Math.floor(unixSeconds / TOTP_STEP_SECONDS);
}

export async function generateTotp(secret: Uint8Array, unixSeconds: number, digits = TOTP_DIGITS): Promise<string> {
  return generateHotp(await importHotpKey(secret), totpStepAt(unixSeconds), digits);
}

/**
 * The time step whose code equals `code` within ±TOTP_WINDOW_STEPS of `unixSeconds`, or null.
 * Every step in the window is computed and compared in constant time, so timing does not tell
 * which step matched. Replay (a step at or before the last accepted one) is decided by the caller
 * in D1, where it can be atomic.
 */
export async function findTotpStep(secret: Uint8Array, code: string, unixSeconds: number): Promise<number | null> {
  if (!/^\d+$/.test(code) || code.length !== TOTP_DIGITS) return null;
  const key = await importHotpKey(secret);
  const now = totpStepAt(unixSeconds);
  let matched: number | null = null;
  for (let step = now - TOTP_WINDOW_STEPS; step <= now + TOTP_WINDOW_STEPS; step++) {
    const expected = await generateHotp(key, step);
    if (timingSafeEqual(utf8(expected), utf8(code)) && matched === null) matched = step;
  }
  return matched;
}

/** The Key Uri Format authenticator apps scan: otpauth://totp/Issuer:label?secret=…&issuer=… */
export function buildOtpauthUri(secretBase32: string, issuer: string, accountName: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = new URLSearchParams({
    secret: secretBase32,
    issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${query.toString().replaceAll("+", "%20")}`;
}
