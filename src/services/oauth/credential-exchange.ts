// Flow 2 (issue 12): a client that already holds a provider credential exchanges it for our tokens
// at POST /v1/oauth/{provider}/token. An ID token (with the nonce the client put in it), an
// authorization code from the provider's popup flow, or (GitHub, Google) an access token. Whatever the
// credential, it must have been issued to one of our client ids (`aud`/`azp`, or GitHub's
// token-check API), by the right issuer, unexpired, with a verified email for a new link
// (GHSA-c6x8-38vf-4p8r is what skipping that costs).

import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../../config";
import { fail, type Result, succeed } from "../../errors";
import type { FirstFactorFinish } from "../account-service";
import type { ClientInfo, RequestScope, ServiceContext } from "../context";
import { recordSignInSucceeded } from "../sign-in-events";
import type { IssuedTokens } from "../token-issuer";
import { resolveAccount, SOCIAL_AMR } from "./account-resolution";
import type { ExternalIdentity } from "./external-identity";
import { checkGitHubTokenIsOurs, gitHubIdentity } from "./github";
import { identityFromGoogleAccessToken } from "./google-access-token";
import { classifyProviderError } from "./provider-errors";
import { identityFromCode, identityFromIdToken } from "./provider-identity";
import { authorizationServer, clientOf, findProvider } from "./providers";

export type ProviderCredential =
  /** `nonce` null: a dialect whose clients send none (Bookings); aud, azp, iss and exp still hold. */
  | { kind: "id_token"; idToken: string; nonce: string | null }
  | { kind: "code"; code: string; redirectUri: string; codeVerifier: string | null; nonce: string | null }
  | { kind: "access_token"; accessToken: string };

export interface CredentialSignIn<T> {
  /** What `finish` answered: a session, the MFA challenge, or (natively) a sign-in flow. */
  outcome: T;
  /** True when this sign-in created the account. */
  created: boolean;
}

/** Google's popup (GIS code client) redeems its code with this redirect_uri. */
const POPUP_REDIRECT = "postmessage";

/** The identity a credential proves, checked as flow 2 checks it (also for explicit linking). */
export async function identityOfCredential(
  context: ServiceContext,
  provider: OAuthProvider,
  credential: ProviderCredential,
): Promise<Result<ExternalIdentity>> {
  if (credential.kind === "access_token") {
    if (provider.name === "google") return identityFromGoogleAccessToken(context, provider, credential.accessToken);
    if (provider.kind !== "github")
      return fail("invalid_request", {
        issues: [{ field: "access_token", message: "is accepted for github and google only" }],
      });
    const ours = await checkGitHubTokenIsOurs(context, provider, credential.accessToken);
    return ours.ok ? gitHubIdentity(context, credential.accessToken) : ours;
  }
  if (credential.kind === "id_token" && provider.kind === "github")
    return fail("invalid_request", { issues: [{ field: "id_token", message: "github issues no ID tokens" }] });
  const server = await authorizationServer(context, provider);
  if (!server.ok) return server;
  if (credential.kind === "id_token")
    return identityFromIdToken(context, provider, server.value, credential.idToken, credential.nonce);
  const { redirectUri } = credential;
  if (redirectUri !== POPUP_REDIRECT && !context.config.oauth.redirectAllowlist.includes(redirectUri))
    return fail("oauth_redirect_not_allowed", { reason: "redirect_uri off the allowlist" });
  let callbackParameters: URLSearchParams;
  try {
    // oauth4webapi redeems only a checked authorization response; a popup's code arrives without
    // state (the client's page checked it) and from the provider itself, so its issuer is stated.
    const response = new URLSearchParams({ code: credential.code, iss: server.value.issuer });
    callbackParameters = oauth.validateAuthResponse(server.value, clientOf(provider), response, oauth.skipStateCheck);
  } catch (error) {
    return classifyProviderError(error, "popup_code");
  }
  return identityFromCode(context, provider, server.value, {
    callbackParameters,
    redirectUri,
    codeVerifier: credential.codeVerifier,
    nonce: provider.kind === "oidc" ? credential.nonce : null,
  });
}

export async function exchangeProviderCredential<T extends { kind: string; tokens?: IssuedTokens }>(
  context: ServiceContext,
  providerName: string,
  credential: ProviderCredential,
  client: ClientInfo,
  scope: RequestScope,
  /** finishFirstFactor, or finishFirstFactorOrFlow where the surface has sign-in flows (the native API). */
  finish: FirstFactorFinish<T>,
): Promise<Result<CredentialSignIn<T>>> {
  const found = findProvider(context, providerName);
  if (!found.ok) return found;
  const identity = await identityOfCredential(context, found.value, credential);
  if (!identity.ok) return identity;
  const account = await resolveAccount(context, identity.value, scope);
  if (!account.ok) return account;
  const { user, created, alongside } = account.value;
  const outcome = await finish(context, user, client, SOCIAL_AMR, { alongside });
  if (outcome.tokens)
    recordSignInSucceeded(context, scope, user.id, outcome.tokens, { method: "oauth", provider: found.value.name });
  return succeed({ outcome, created });
}
