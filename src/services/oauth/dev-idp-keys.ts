// The dev identity provider's signing key (OAUTH_DEV_PROVIDER, local issuer only): an ES256 pair made
// once per isolate, never stored, so a restarted `wrangler dev` simply has a new one (the core's JWKS
// cache is per isolate too). It signs the dev provider's ID tokens and nothing else; this Worker's
// own tokens are signed by src/crypto/access-token.ts with SIGNING_KEYS.

import { exportJWK, type GenerateKeyPairResult, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export const DEV_KEY_ID = "edge-auth-dev-idp-1";

let pair: Promise<GenerateKeyPairResult> | null = null;

function keyPair(): Promise<GenerateKeyPairResult> {
  pair ??= generateKeyPair("ES256", { extractable: true });
  return pair;
}

/** The public half as the dev provider's JWKS. */
export async function devJwks(): Promise<{ keys: JWK[] }> {
  const jwk = await exportJWK((await keyPair()).publicKey);
  return { keys: [{ ...jwk, kid: DEV_KEY_ID, alg: "ES256", use: "sig" }] };
}

export async function signDevIdToken(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: DEV_KEY_ID, typ: "JWT" })
    .sign((await keyPair()).privateKey);
}
