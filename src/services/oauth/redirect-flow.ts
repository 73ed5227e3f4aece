// Flow 1, the redirect flow for SPAs (issue 12). `startRedirectFlow` stores the flow in D1 (state,
// our PKCE verifier, nonce, where to return, the SPA's own PKCE challenge, the browser binding; ten
// minutes, single use) and answers the provider URL. `finishRedirectFlow` consumes the flow (only
// from the browser that started it), checks the authorization response (state, RFC 9207 `iss`),
// redeems the code, resolves the account, and issues the one-time sign-in code the SPA exchanges at
// POST /v1/oauth/token with its verifier. No token travels in a URL.

import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../../config";
import { generateId, generateOpaqueToken, sha256Base64Url } from "../../crypto/random";
import { type Failure, fail, type Result, succeed } from "../../errors";
import { consumeOAuthFlow, insertOAuthFlow } from "../../storage/oauth-flow-store";
import type { RequestScope, ServiceContext } from "../context";
import { resolveAccount } from "./account-resolution";
import { classifyProviderError } from "./provider-errors";
import { identityFromCode } from "./provider-identity";
import { authorizationServer, clientOf, findProvider } from "./providers";
import { issueSignInCode } from "./sign-in-code";

export const FLOW_TTL_SECONDS = 600;
/** An S256 challenge is 43 base64url characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE_LENGTH = 128;

export interface StartInput {
  provider: string;
  redirectTo: string;
  codeChallenge: string;
  codeChallengeMethod?: string;
}

export interface StartedFlow {
  /** The provider's authorization URL, for the 302. */
  location: string;
  /** The browser-binding value, for the `__Host-` cookie; only its hash is stored. */
  browserToken: string;
  provider: OAuthProvider;
}

/** This Worker's callback URL for `provider`, registered with the provider. */
export const callbackUrl = (context: ServiceContext, provider: string) =>
  `${context.config.issuer}/v1/oauth/${provider}/callback`;

export async function startRedirectFlow(context: ServiceContext, input: StartInput): Promise<Result<StartedFlow>> {
  const found = findProvider(context, input.provider);
  if (!found.ok) return found;
  const provider = found.value;
  if (!context.config.oauth.redirectAllowlist.includes(input.redirectTo))
    return fail("oauth_redirect_not_allowed", { reason: "redirect_to off the allowlist" });
  if ((input.codeChallengeMethod ?? "S256") !== "S256" || !S256_CHALLENGE.test(input.codeChallenge)) {
    const issues = [{ field: "code_challenge", message: "must be an S256 PKCE challenge (43 base64url characters)" }];
    return fail("invalid_request", { issues });
  }
  const server = await authorizationServer(context, provider);
  if (!server.ok) return server;
  if (!server.value.authorization_endpoint)
    return fail("oauth_provider_unavailable", { reason: "no authorization_endpoint" });

  const state = generateOpaqueToken();
  const browserToken = generateOpaqueToken();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const now = context.now();
  await insertOAuthFlow(context.db, {
    id: generateId(),
    stateHash: await sha256Base64Url(state),
    provider: provider.name,
    codeVerifier,
    nonce,
    redirectTo: input.redirectTo,
    clientCodeChallenge: input.codeChallenge,
    browserHash: await sha256Base64Url(browserToken),
    createdAt: now,
    expiresAt: now + FLOW_TTL_SECONDS,
  });
  const url = new URL(server.value.authorization_endpoint);
  const parameters: Record<string, string> = {
    client_id: provider.clientId,
    redirect_uri: callbackUrl(context, provider.name),
    response_type: "code",
    scope: provider.scopes.join(" "),
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...(provider.kind === "oidc" ? { nonce } : {}),
    ...(provider.responseMode === "form_post" ? { response_mode: "form_post" } : {}),
  };
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return succeed({ location: url.href, browserToken, provider });
}

export interface CallbackInput {
  provider: string;
  /** The authorization response: the callback's query, or Apple's form_post body. */
  parameters: URLSearchParams;
  /** The `__Host-` cookie's value; null when the browser sent none. */
  browserToken: string | null;
  /** How the answer came: a GET's query, or a form POST; it must be how the provider was asked to answer. */
  responseMode: OAuthProvider["responseMode"];
}

/** A refused callback: where to send the browser with the error, when the flow was known. */
export type CallbackFailure = Failure & { redirectTo?: string };

export async function finishRedirectFlow(
  context: ServiceContext,
  input: CallbackInput,
  scope: RequestScope,
): Promise<{ ok: true; value: { redirectTo: string; code: string } } | { ok: false; error: CallbackFailure }> {
  const found = findProvider(context, input.provider);
  if (!found.ok) return found;
  const provider = found.value;
  if (input.responseMode !== provider.responseMode) {
    const message = provider.responseMode === "form_post" ? "must be a form POST" : "must be a GET";
    return fail("invalid_request", { issues: [{ field: "callback", message }] });
  }
  const state = input.parameters.get("state");
  if (!state || state.length > MAX_STATE_LENGTH || !input.browserToken || input.browserToken.length > MAX_STATE_LENGTH)
    return fail("oauth_state_invalid", { reason: "callback without state or browser binding" });
  const flow = await consumeOAuthFlow(context.db, {
    stateHash: await sha256Base64Url(state),
    browserHash: await sha256Base64Url(input.browserToken),
    provider: provider.name,
    now: context.now(),
  });
  if (!flow) return fail("oauth_state_invalid", { reason: "unknown, used, expired or other-browser state" });
  const refused = (result: { ok: false; error: Failure }) => ({
    ok: false as const,
    error: { ...result.error, redirectTo: flow.redirectTo },
  });

  const server = await authorizationServer(context, provider);
  if (!server.ok) return refused(server);
  let callbackParameters: URLSearchParams;
  try {
    // Checks state again, an `error` answer, and the RFC 9207 `iss` parameter where the provider sends one.
    callbackParameters = oauth.validateAuthResponse(server.value, clientOf(provider), input.parameters, state);
  } catch (error) {
    // The person declined (or closed) the provider's consent: the SPA may say so, not "invalid".
    if (error instanceof oauth.AuthorizationResponseError && error.error === "access_denied")
      return refused({ ok: false, error: { code: "oauth_access_denied", reason: "declined at the provider" } });
    return refused(classifyProviderError(error, "authorization_response"));
  }
  const identity = await identityFromCode(context, provider, server.value, {
    callbackParameters,
    redirectUri: callbackUrl(context, provider.name),
    codeVerifier: flow.codeVerifier,
    nonce: provider.kind === "oidc" ? flow.nonce : null,
  });
  if (!identity.ok) return refused(identity);
  const account = await resolveAccount(context, identity.value, scope);
  if (!account.ok) return refused(account);
  const code = await issueSignInCode(context, account.value, { flow, provider: provider.name });
  return succeed({ redirectTo: flow.redirectTo, code });
}
