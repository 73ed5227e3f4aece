// Cold-cache scenarios (issue 16): every request a different session, so no per-isolate denylist or
// KV cache answer is ever reused and each check pays its full price. The tokens are the server's own
// kind, signed with the dev signing key `npm run dev` wrote to .dev.vars: a real token's header and
// claims with a new `sid` and `jti` (and, for sessions that must exist in D1, their `sub`).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from "jose";
import { jsonRequest, nextClientIp } from "./traffic.mjs";
import { PROJECT_ROOT } from "./wrangler.mjs";

/** More tokens than a run's requests at this machine's rates, so none repeats within the cache TTL. */
export const COLD_TOKEN_COUNT = 30_000;

function devSigningKeys() {
  const text = readFileSync(join(PROJECT_ROOT, ".dev.vars"), "utf8");
  const line = text.split("\n").find((entry) => entry.startsWith("SIGNING_KEYS="));
  if (!line) throw new Error(".dev.vars holds no SIGNING_KEYS (run `npm run dev` once, or the bench's setup)");
  const value = line.slice("SIGNING_KEYS=".length).trim();
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return JSON.parse(quoted ? quoted[2] : value).keys;
}

/**
 * `count` access tokens like `template` (one the server issued), each for its own session:
 * `subjectOf(n)` and `sessionOf(n)` name them (default: the template's user, a random session id).
 */
export async function mintSessionTokens(template, count, { subjectOf, sessionOf } = {}) {
  const header = decodeProtectedHeader(template);
  const claims = decodeJwt(template);
  const jwk = devSigningKeys().find((key) => key.kid === header.kid);
  if (!jwk) throw new Error(`no dev signing key with kid ${header.kid} in .dev.vars`);
  const key = await importJWK(jwk, header.alg);
  const tokens = [];
  for (let n = 0; n < count; n++) {
    const payload = {
      ...claims,
      sub: subjectOf ? subjectOf(n) : claims.sub,
      sid: sessionOf ? sessionOf(n) : randomUUID(),
      jti: randomUUID(),
    };
    tokens.push(await new SignJWT(payload).setProtectedHeader(header).sign(key));
  }
  return tokens;
}

/** Hands out the tokens in turn (wrapping only after all were used). */
export function inTurn(items) {
  let next = 0;
  return () => items[next++ % items.length];
}

export function coldVerifyRequest(nextToken) {
  return jsonRequest("POST", "/v1/token/verify", () => ({ token: nextToken() }));
}

export function coldMeRequest(nextToken) {
  return {
    method: "GET",
    path: "/v1/me",
    setupRequest: (request) => {
      request.headers = { authorization: `Bearer ${nextToken()}`, "cf-connecting-ip": nextClientIp() };
      return request;
    },
  };
}
