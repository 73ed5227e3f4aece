// Derives a rotated refresh token's successor from the presented token and a random nonce kept in D1.
// Only someone holding the old token (stored only as a hash) can re-derive it, which lets a client
// whose refresh response was lost get the same successor back within the grace window, so
// concurrent refreshes with one token still create exactly one new family member.

import { encodeBase64Url, utf8 } from "./encoding";

export async function deriveSuccessorToken(presentedToken: string, nonce: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8(presentedToken), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, utf8(`edge-auth refresh successor:${nonce}`));
  return encodeBase64Url(new Uint8Array(mac));
}
