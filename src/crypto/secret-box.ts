// AES-256-GCM for secrets that must be read back (TOTP secrets), unlike codes and tokens, which
// are only ever hashed. The stored form is base64url(iv ∥ ciphertext ∥ tag). The caller's
// associated data (e.g. the user id) is authenticated, not stored: a ciphertext copied to another
// row fails to open.

import { decodeBase64Url, encodeBase64Url, utf8 } from "./encoding";
import { randomBytes } from "./random";

export const SECRET_BOX_KEY_BYTES = 32;
/** 96-bit IVs, random per encryption (NIST SP 800-38D §8.2.2): far below 2^32 messages per key here. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export async function importSecretBoxKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== SECRET_BOX_KEY_BYTES) throw new RangeError("secret-box key must be 32 bytes");
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

export async function sealSecret(key: CryptoKey, plaintext: Uint8Array, associatedData: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(associatedData), tagLength: TAG_BYTES * 8 },
    key,
    plaintext,
  );
  const sealed = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  sealed.set(iv, 0);
  sealed.set(new Uint8Array(ciphertext), IV_BYTES);
  return encodeBase64Url(sealed);
}

/** The plaintext, or null when the text is malformed, was altered, or belongs to other associated data. */
export async function openSecret(key: CryptoKey, sealed: string, associatedData: string): Promise<Uint8Array | null> {
  const bytes = decodeBase64Url(sealed);
  if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, IV_BYTES), additionalData: utf8(associatedData), tagLength: TAG_BYTES * 8 },
      key,
      bytes.slice(IV_BYTES),
    );
    return new Uint8Array(plaintext);
  } catch {
    return null;
  }
}
