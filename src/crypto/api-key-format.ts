// API key secrets: `ea_sk_<32 base62>_<CRC32 as 6 base62>`, after GitHub's 2021 token format. The
// fixed prefix lets secret scanners find leaked keys (regex API_KEY_PATTERN); the checksum refuses a
// mistyped or truncated key before any database work. Only HMAC-SHA256(API_KEY_SECRET, key) is
// stored, so a database dump grants nothing without the server secret.

import { encodeBase64Url, utf8 } from "./encoding";
import { randomBytes } from "./random";

export const API_KEY_PREFIX = "ea_sk_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 32 characters of 62: 190.5 random bits (at least 160 stay secret after the displayed ones). */
export const API_KEY_RANDOM_LENGTH = 32;
/** 62^6 > 2^32: every CRC32 fits in six characters. */
const CHECKSUM_LENGTH = 6;
/** Characters of the random part kept for display beside the prefix (23.8 bits; 166 stay secret). */
const DISPLAYED_RANDOM_CHARACTERS = 4;

/** What a scanner (or a log redactor) looks for. */
export const API_KEY_PATTERN = /ea_sk_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}/;
const WHOLE_KEY = new RegExp(`^${API_KEY_PATTERN.source}$`);

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, the zlib one) of the UTF-8 bytes of `text`. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of utf8(text)) crc = (CRC32_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A non-negative integer in base62, left-padded with "0" to `width`. */
export function toBase62(value: number, width: number): string {
  let text = "";
  let rest = value;
  do {
    text = BASE62[rest % 62] + text;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return text.padStart(width, "0");
}

/** Uniform base62 by rejection sampling: bytes 248..255 would favour the first eight characters. */
function randomBase62(length: number): string {
  let text = "";
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && text.length < length) text += BASE62[byte % 62];
    }
  }
  return text;
}

const checksumOf = (body: string) => toBase62(crc32(body), CHECKSUM_LENGTH);

/** A fresh key; shown once to its owner and never stored. */
export function generateApiKey(): string {
  const body = `${API_KEY_PREFIX}${randomBase62(API_KEY_RANDOM_LENGTH)}`;
  return `${body}_${checksumOf(body)}`;
}

/** True when `text` has the key's shape and its checksum holds: a typo fails here, before any look-up. */
export function isWellFormedApiKey(text: string): boolean {
  if (!WHOLE_KEY.test(text)) return false;
  const cut = text.length - CHECKSUM_LENGTH - 1;
  return checksumOf(text.slice(0, cut)) === text.slice(cut + 1);
}

/** What GET /v1/keys shows of a key: the prefix and its first random characters. */
export function displayPrefixOf(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + DISPLAYED_RANDOM_CHARACTERS);
}

export async function importApiKeyHashKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** HMAC-SHA256 (base64url) of the whole key: the only form stored and looked up. */
export async function hashApiKey(hashKey: CryptoKey, key: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", hashKey, utf8(`api_key\u0000${key}`));
  return encodeBase64Url(new Uint8Array(mac));
}
