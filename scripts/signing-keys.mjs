// Generates a JWK set of private signing keys (the SIGNING_KEYS secret). Used by `npm run dev`,
// the test config and the benchmark; print one for production with `node scripts/signing-keys.mjs`.
import { exportJWK, generateKeyPair } from "jose";

export async function generateSigningKey(alg = "ES256") {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === "EdDSA" ? "Ed25519" : undefined,
  });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, kid: `${alg.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}` };
}

export async function generateSigningKeySet(algorithms = ["ES256"]) {
  const keys = [];
  for (const alg of algorithms) keys.push(await generateSigningKey(alg));
  return JSON.stringify({ keys });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await generateSigningKeySet(process.argv.slice(2).length ? process.argv.slice(2) : ["ES256"]));
}
