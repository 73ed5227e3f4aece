// Bench-only consumer Worker: the same access-token check done two ways, plus a probe for the cost
// of the password hash alone, all in the same workerd as edge-auth.
//   GET /noop                 this Worker's floor: no auth work at all
//   GET /verify               env.AUTH.verifyToken(bearer) over RPC (signature, claims, KV denylist)
//   GET /rpc-floor            env.AUTH.verifyToken(0): refused before any work, so the RPC hop alone
//   GET /bare                 a bare jose jwtVerify of the same bearer against edge-auth's public JWKS
//   GET /scrypt?ln=&r=&p=&len= one node:crypto scrypt with those parameters, nothing else
//   POST /bench/admin-key     env.AUTH.issueAdminApiKey for the bearer's own account: the import
//                             bench's admin key, minted the only way one is (RPC); this Worker is
//                             the bench's own, never deployed
//   anything else             forwarded to edge-auth's HTTP API (the bench signs up through it)
import { scrypt } from "node:crypto";
import { createLocalJWKSet, jwtVerify } from "jose";

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
// The JWKS is fetched once per isolate, as any real consumer caches it.
const keySets = new WeakMap();

function publicKeySet(env) {
  let keySet = keySets.get(env);
  if (!keySet) {
    keySet = env.AUTH_HTTP.fetch("http://edge-auth/.well-known/jwks.json")
      .then((response) => response.json())
      .then((jwks) => createLocalJWKSet(jwks));
    keySets.set(env, keySet);
    keySet.catch(() => keySets.delete(env));
  }
  return keySet;
}

function bearerOf(request) {
  return BEARER.exec(request.headers.get("Authorization") ?? "")?.[1] ?? null;
}

async function verifyOverRpc(request, env) {
  const token = bearerOf(request);
  if (!token) return Response.json({ valid: false }, { status: 401 });
  const result = await env.AUTH.verifyToken(token);
  return Response.json(
    { valid: result.valid, sub: result.valid ? result.claims.sub : null },
    { status: result.valid ? 200 : 401 },
  );
}

async function verifyBare(request, env) {
  const token = bearerOf(request);
  if (!token) return Response.json({ valid: false }, { status: 401 });
  try {
    const { payload } = await jwtVerify(token, await publicKeySet(env), {
      algorithms: ["ES256", "EdDSA"],
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      typ: "at+jwt",
      requiredClaims: ["exp", "iat", "sub", "sid", "jti"],
    });
    return Response.json({ valid: true, sub: payload.sub });
  } catch {
    return Response.json({ valid: false }, { status: 401 });
  }
}

const PASSWORD = new TextEncoder().encode("bench probe password, not a secret");
const SALT = new TextEncoder().encode("bench-probe-salt");

function boundedInteger(value, min, max) {
  const number = Number(value);
  return Number.isInteger(number) && number >= min && number <= max ? number : null;
}

function hashOnce(url) {
  const logN = boundedInteger(url.searchParams.get("ln"), 1, 20);
  const r = boundedInteger(url.searchParams.get("r"), 1, 32);
  const p = boundedInteger(url.searchParams.get("p"), 1, 16);
  const keyLength = boundedInteger(url.searchParams.get("len") ?? "32", 16, 64);
  if (logN === null || r === null || p === null || keyLength === null)
    return new Response("bad params", { status: 400 });
  // The same maxmem rule as src/crypto/scrypt.ts.
  const options = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
  return new Promise((resolve) => {
    scrypt(PASSWORD, SALT, keyLength, options, (error) =>
      resolve(error ? new Response("scrypt failed", { status: 500 }) : new Response("ok")),
    );
  });
}

/** An `admin` key for the account holding the bearer access token (bench/lib/user-import.mjs). */
async function issueAdminKeyForBearer(request, env) {
  const token = bearerOf(request);
  const verified = token ? await env.AUTH.verifyToken(token) : { valid: false };
  if (!verified.valid) return Response.json({ error: "invalid_token" }, { status: 401 });
  const issued = await env.AUTH.issueAdminApiKey({ user_id: verified.claims.sub, name: "bench import" });
  if (!issued.ok) return Response.json({ error: issued.code }, { status: 400 });
  return Response.json({ api_key: issued.api_key }, { headers: { "Cache-Control": "no-store" } });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    if (url.pathname === "/verify") return verifyOverRpc(request, env);
    if (url.pathname === "/rpc-floor") return env.AUTH.verifyToken(0).then((result) => Response.json(result));
    if (url.pathname === "/bare") return verifyBare(request, env);
    if (url.pathname === "/scrypt") return hashOnce(url);
    if (url.pathname === "/bench/admin-key" && request.method === "POST") return issueAdminKeyForBearer(request, env);
    return env.AUTH_HTTP.fetch(request);
  },
};
