// Apple's client secret is not a fixed string: it is an ES256 JWT we sign with the key Apple issued
// (OAUTH_APPLE_PRIVATE_KEY, key id OAUTH_APPLE_KEY_ID, team OAUTH_APPLE_TEAM_ID), valid for minutes.
// This signs a token for Apple, not one of ours, so it lives here and not in the access-token module.

import { SignJWT } from "jose";
import type { OAuthProvider } from "../../config";
import type { ServiceContext } from "../context";

const LIFETIME_SECONDS = 300;
const keys = new Map<string, Promise<CryptoKey>>();

export async function appleClientSecret(context: ServiceContext, provider: OAuthProvider): Promise<string> {
  const apple = provider.apple;
  if (!apple) throw new Error("not an Apple provider");
  let key = keys.get(apple.privateKey);
  if (!key) {
    // The PEM's base64 body is the PKCS#8 key WebCrypto imports (config checked the PEM's label).
    const der = Uint8Array.from(atob(apple.privateKey.replace(/-----[^-]+-----|\s/g, "")), (ch) => ch.charCodeAt(0));
    key = crypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    keys.set(apple.privateKey, key);
    key.catch(() => keys.delete(apple.privateKey));
  }
  const now = context.now();
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: apple.keyId })
    .setIssuer(apple.teamId)
    .setSubject(provider.clientId)
    .setAudience("https://appleid.apple.com")
    .setIssuedAt(now)
    .setExpirationTime(now + LIFETIME_SECONDS)
    .sign(await key);
}
