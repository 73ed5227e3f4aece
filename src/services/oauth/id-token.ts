// Verifies a provider's ID token with jose against that provider's own JWKS (fetched from its
// discovered jwks_uri, cached per isolate by jose): the signature with an asymmetric algorithm only
// (never `none` or an HMAC keyed by something public), `iss`, `exp`, an `aud` that is one of our
// client ids and an `azp` that is too when present (GHSA-c6x8-38vf-4p8r), an `iat` not in the
// future, a `typ` that is a plain JWT when present (never the provider's JWT access token or logout
// token, RFC 8725 §3.11), and the nonce when the caller expects one. Our own tokens are verified
// elsewhere (src/crypto/access-token.ts).

import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from "jose";
import type { AuthorizationServer } from "oauth4webapi";
import type { OAuthProvider } from "../../config";
import { fail, type Result, succeed } from "../../errors";
import type { ServiceContext } from "../context";
import { providerFetch } from "./providers";

const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** An ID token is a few kilobytes at most; anything longer is not parsed. */
const MAX_ID_TOKEN_LENGTH = 8192;
const CLOCK_TOLERANCE_SECONDS = 30;
/** `typ` values of an ID token (RFC 7519 §5.1, compared case-insensitively); absent is fine too. */
const ID_TOKEN_TYPES = new Set(["jwt", "application/jwt"]);

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetOf(context: ServiceContext, jwksUri: string) {
  let keySet = keySets.get(jwksUri);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri), {
      [customFetch]: providerFetch(context),
      timeoutDuration: context.config.oauth.timeoutMs,
    });
    keySets.set(jwksUri, keySet);
  }
  return keySet;
}

const outage = (error: unknown) =>
  error instanceof errors.JWKSTimeout ||
  (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) ||
  (error instanceof TypeError && !(error instanceof errors.JOSEError)) ||
  (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC" && /JSON Web Key Set/.test(error.message));

export async function verifyIdToken(
  context: ServiceContext,
  provider: OAuthProvider,
  server: AuthorizationServer,
  idToken: string,
  expectedNonce: string | null,
): Promise<Result<JWTPayload>> {
  if (idToken.length > MAX_ID_TOKEN_LENGTH) return fail("oauth_credential_invalid", { reason: "oversized id_token" });
  if (!server.jwks_uri) return fail("oauth_provider_unavailable", { reason: "discovery names no jwks_uri" });
  let payload: JWTPayload;
  let typ: string | undefined;
  try {
    ({
      payload,
      protectedHeader: { typ },
    } = await jwtVerify(idToken, keySetOf(context, server.jwks_uri), {
      algorithms: ALGORITHMS,
      issuer: server.issuer,
      audience: provider.audiences,
      requiredClaims: ["sub", "exp", "iat"],
      currentDate: new Date(context.now() * 1000),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    const kind = error instanceof errors.JOSEError ? error.code : "unreadable";
    const code = outage(error) ? "oauth_provider_unavailable" : "oauth_credential_invalid";
    return fail(code, { reason: `id_token: ${kind}` });
  }
  if (typ !== undefined && !ID_TOKEN_TYPES.has(typ.toLowerCase()))
    return fail("oauth_credential_invalid", { reason: "id_token typ is not a JWT's" });
  // jose checks `iat` only against a maximum age; one from the future is a forged or broken clock.
  if (typeof payload.iat !== "number" || payload.iat > context.now() + CLOCK_TOLERANCE_SECONDS)
    return fail("oauth_credential_invalid", { reason: "id_token iat in the future" });
  if (payload.azp !== undefined && !(typeof payload.azp === "string" && provider.audiences.includes(payload.azp)))
    return fail("oauth_credential_invalid", { reason: "id_token azp is not one of our client ids" });
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp === undefined)
    return fail("oauth_credential_invalid", { reason: "id_token for several audiences without azp" });
  if (expectedNonce !== null && payload.nonce !== expectedNonce)
    return fail("oauth_credential_invalid", { reason: "id_token nonce mismatch" });
  return succeed(payload);
}
