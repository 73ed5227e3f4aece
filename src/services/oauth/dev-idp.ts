// The dev identity provider's authorization server (issue 12; OAUTH_DEV_PROVIDER, local issuer only):
// what its discovery document says, the authorize request its consent page accepts, the code it
// hands back once the developer picked an email, and the token endpoint's checks (client, single
// use, redirect_uri, PKCE S256) before it mints an ID token. Codes live in this isolate's memory for
// a minute: this provider never runs in production, where codes are decided in D1.

import {
  DEV_CLIENT_ID,
  DEV_CLIENT_SECRET,
  DEV_PROVIDER_NAME,
  devIssuerOf,
  devProviderOf,
} from "../../config/oauth-dev-env";
import { timingSafeEqual } from "../../crypto/constant-time";
import { utf8 } from "../../crypto/encoding";
import { generateOpaqueToken, sha256Base64Url } from "../../crypto/random";
import { fail, type Result, succeed } from "../../errors";
import type { ServiceContext } from "../context";
import { normalizeEmail } from "../identifiers";
import { signDevIdToken } from "./dev-idp-keys";

/** Offered as one-click choices on the consent page; any other address may be typed. */
export const DEV_EMAILS = ["dev@example.com", "alice@example.com", "bob@example.com"];
const CODE_TTL_SECONDS = 60;
const ID_TOKEN_TTL_SECONDS = 600;
const MAX_CODES = 1000;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** state and nonce: opaque, printable, bounded. */
const OPAQUE = /^[\x21-\x7e]{1,512}$/;

export interface DevAuthorizeRequest {
  redirectUri: string;
  state: string;
  nonce: string | null;
  codeChallenge: string;
}

interface IssuedCode extends DevAuthorizeRequest {
  email: string;
  expiresAt: number;
}

const codes = new Map<string, IssuedCode>();

/** The only place the dev provider sends a browser: this Worker's own callback for `dev`. */
const callbackOf = (context: ServiceContext) => `${context.config.issuer}/v1/oauth/${DEV_PROVIDER_NAME}/callback`;

const refuse = (field: string, message: string) => fail<never>("invalid_request", { issues: [{ field, message }] });

export function devIdpEnabled(context: ServiceContext): boolean {
  return devProviderOf(context.config.oauth) !== null;
}

export function devDiscovery(context: ServiceContext): Record<string, unknown> {
  const issuer = devIssuerOf(context.config.issuer);
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code"],
    subject_types_supported: ["public"],
    scopes_supported: ["openid", "email", "profile"],
    id_token_signing_alg_values_supported: ["ES256"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_post"],
    // RFC 9207: every answer names its issuer, and the core checks it.
    authorization_response_iss_parameter_supported: true,
  };
}

/**
 * The authorize request as the consent page may show it. A wrong client or redirect_uri is refused
 * on the page itself, never redirected (RFC 6749 §4.1.2.1): the dev provider is no open redirect.
 */
export function checkDevAuthorize(
  context: ServiceContext,
  query: Record<string, string | undefined>,
): Result<DevAuthorizeRequest> {
  if (!devIdpEnabled(context)) return fail("not_found", { reason: "dev identity provider is off" });
  if (query.client_id !== DEV_CLIENT_ID) return refuse("client_id", "is not the dev provider's client");
  if (query.redirect_uri !== callbackOf(context)) return refuse("redirect_uri", "is not this Worker's dev callback");
  if (query.response_type !== "code") return refuse("response_type", "must be code");
  if (!(query.scope ?? "").split(" ").includes("openid")) return refuse("scope", "must include openid");
  if (!query.state || !OPAQUE.test(query.state)) return refuse("state", "is required (1..512 printable characters)");
  if (query.nonce !== undefined && !OPAQUE.test(query.nonce))
    return refuse("nonce", "must be 1..512 printable characters");
  if (query.code_challenge_method !== "S256" || !S256_CHALLENGE.test(query.code_challenge ?? ""))
    return refuse("code_challenge", "must be an S256 PKCE challenge");
  return succeed({
    redirectUri: query.redirect_uri,
    state: query.state,
    nonce: query.nonce ?? null,
    codeChallenge: query.code_challenge ?? "",
  });
}

function forgetExpired(now: number): void {
  for (const [key, code] of codes) if (code.expiresAt <= now) codes.delete(key);
}

/** The developer chose `rawEmail`: a one-minute code, and where the browser goes with it. */
export async function approveDevSignIn(
  context: ServiceContext,
  request: DevAuthorizeRequest,
  rawEmail: string,
): Promise<Result<{ location: string }>> {
  const email = normalizeEmail(rawEmail);
  if (!email) return refuse("email", "is not a valid email address");
  const now = context.now();
  forgetExpired(now);
  if (codes.size >= MAX_CODES) return fail("rate_limited", { reason: "dev provider holds too many codes" });
  const code = generateOpaqueToken();
  codes.set(await sha256Base64Url(code), { ...request, email, expiresAt: now + CODE_TTL_SECONDS });
  const location = new URL(request.redirectUri);
  location.searchParams.set("code", code);
  location.searchParams.set("state", request.state);
  location.searchParams.set("iss", devIssuerOf(context.config.issuer));
  return succeed({ location: location.href });
}

export interface DevTokenAnswer {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  id_token: string;
  scope: string;
}

/** A stable subject per address, so the same email is the same external account every time. */
export async function devSubjectOf(email: string): Promise<string> {
  return `dev-${(await sha256Base64Url(`edge-auth-dev:${email}`)).slice(0, 32)}`;
}

/**
 * The token endpoint (client_secret_post): invalid_credentials for the client, invalid_code for a
 * code that is unknown, used, expired, for another redirect_uri or without its PKCE verifier. The
 * code is spent on the first attempt, right or wrong.
 */
export async function redeemDevCode(context: ServiceContext, form: URLSearchParams): Promise<Result<DevTokenAnswer>> {
  if (!devIdpEnabled(context)) return fail("not_found", { reason: "dev identity provider is off" });
  if (form.get("grant_type") !== "authorization_code") return refuse("grant_type", "must be authorization_code");
  const secret = form.get("client_secret") ?? "";
  if (form.get("client_id") !== DEV_CLIENT_ID || !timingSafeEqual(utf8(secret), utf8(DEV_CLIENT_SECRET)))
    return fail("invalid_credentials", { reason: "dev provider: wrong client" });
  const key = await sha256Base64Url(form.get("code") ?? "");
  const issued = codes.get(key);
  codes.delete(key);
  const now = context.now();
  if (!issued || issued.expiresAt <= now) return fail("invalid_code", { reason: "dev code unknown, used or expired" });
  if (form.get("redirect_uri") !== issued.redirectUri)
    return fail("invalid_code", { reason: "dev code for another redirect_uri" });
  const verifier = form.get("code_verifier") ?? "";
  if (!VERIFIER.test(verifier) || (await sha256Base64Url(verifier)) !== issued.codeChallenge)
    return fail("invalid_code", { reason: "dev code without its PKCE verifier" });
  const idToken = await signDevIdToken({
    iss: devIssuerOf(context.config.issuer),
    aud: DEV_CLIENT_ID,
    sub: await devSubjectOf(issued.email),
    email: issued.email,
    email_verified: true,
    iat: now,
    auth_time: now,
    exp: now + ID_TOKEN_TTL_SECONDS,
    ...(issued.nonce === null ? {} : { nonce: issued.nonce }),
  });
  return succeed({
    access_token: generateOpaqueToken(),
    token_type: "Bearer",
    expires_in: ID_TOKEN_TTL_SECONDS,
    id_token: idToken,
    scope: "openid email profile",
  });
}
