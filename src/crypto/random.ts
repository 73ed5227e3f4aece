// Randomness and digests: every secret value comes from crypto.getRandomValues.

import { encodeBase64Url, utf8 } from "./encoding";

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** 256 random bits, base64url: refresh tokens and other bearer secrets. */
export function generateOpaqueToken(): string {
  return encodeBase64Url(randomBytes(32));
}

/** Identifiers that are not secrets (user ids, session ids, jti). */
export function generateId(): string {
  return crypto.randomUUID();
}

/** SHA-256 as base64url: how bearer secrets are stored at rest, so a database dump grants nothing. */
export async function sha256Base64Url(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8(text));
  return encodeBase64Url(new Uint8Array(digest));
}
