// The JWK set from the SIGNING_KEYS secret: the first key signs, every key verifies, so a new key is
// rolled in front and an old one retired later without logging anyone out.

import { importJWK, type JWK } from "jose";

export const SIGNING_ALGORITHMS = ["ES256", "EdDSA"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface PrivateSigningJwk extends JWK {
  kid: string;
  alg: SigningAlgorithm;
  d: string;
}

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: SigningAlgorithm;
  use: "sig";
}

interface VerificationKey {
  alg: SigningAlgorithm;
  key: CryptoKey;
}

export interface KeySet {
  signing: { kid: string; alg: SigningAlgorithm; key: CryptoKey };
  verification: ReadonlyMap<string, VerificationKey>;
  algorithms: SigningAlgorithm[];
  publicJwks: PublicJwk[];
}

/** Only the public members are published; `d` never leaves this module. */
export function toPublicJwk(jwk: PrivateSigningJwk): PublicJwk {
  const { kty = "", crv = "", x = "", y, kid, alg } = jwk;
  return { kty, crv, x, ...(y === undefined ? {} : { y }), kid, alg, use: "sig" };
}

export async function importKeySet(jwks: PrivateSigningJwk[]): Promise<KeySet> {
  const [first] = jwks;
  if (!first) throw new Error("SIGNING_KEYS holds no key");
  const publicJwks = jwks.map(toPublicJwk);
  const verification = new Map<string, VerificationKey>();
  for (const jwk of publicJwks) {
    const key = await importOrExplain(jwk, "public");
    verification.set(jwk.kid, { alg: jwk.alg, key });
  }
  const signingKey = await importOrExplain(first, "private");
  const algorithms = [...new Set(publicJwks.map((jwk) => jwk.alg))];
  return { signing: { kid: first.kid, alg: first.alg, key: signingKey }, verification, algorithms, publicJwks };
}

/** Key material with the right shape can still be unusable; say which key, never what it holds. */
async function importOrExplain(jwk: PublicJwk | PrivateSigningJwk, part: "public" | "private"): Promise<CryptoKey> {
  try {
    return (await importJWK(jwk, jwk.alg)) as CryptoKey;
  } catch (error) {
    throw new Error(`the ${part} key of kid ${jwk.kid} cannot be imported`, { cause: error });
  }
}
