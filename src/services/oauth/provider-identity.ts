// From a provider's token endpoint answer to the person it vouches for: for an OIDC provider the ID
// token (required, verified with jose against the provider's JWKS, nonce checked), for GitHub the
// REST API behind the access token. Shared by the redirect callback and the popup code exchange.

import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../../config";
import { fail, type Result } from "../../errors";
import type { ServiceContext } from "../context";
import { type ExternalIdentity, identityFromClaims } from "./external-identity";
import { gitHubIdentity } from "./github";
import { verifyIdToken } from "./id-token";
import { classifyProviderError } from "./provider-errors";
import { clientAuthOf, clientOf, requestOptions } from "./providers";

export interface CodeExchange {
  callbackParameters: URLSearchParams;
  redirectUri: string;
  /** Our PKCE verifier (redirect flow) or the client's; `null` when the client used none. */
  codeVerifier: string | null;
  /** The nonce the ID token must carry; null when none was sent. */
  nonce: string | null;
}

/** Redeems a provider authorization code (oauth4webapi) and reads the identity it proves. */
export async function identityFromCode(
  context: ServiceContext,
  provider: OAuthProvider,
  server: oauth.AuthorizationServer,
  exchange: CodeExchange,
): Promise<Result<ExternalIdentity>> {
  const client = clientOf(provider);
  let tokens: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      client,
      await clientAuthOf(context, provider),
      exchange.callbackParameters,
      exchange.redirectUri,
      exchange.codeVerifier ?? oauth.nopkce,
      requestOptions(context, provider.issuer),
    );
    tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
      requireIdToken: provider.kind === "oidc",
      expectedNonce: exchange.nonce ?? oauth.expectNoNonce,
    });
  } catch (error) {
    return classifyProviderError(error, "token");
  }
  if (provider.kind === "github") return gitHubIdentity(context, tokens.access_token);
  return identityFromIdToken(context, provider, server, tokens.id_token ?? "", exchange.nonce);
}

export async function identityFromIdToken(
  context: ServiceContext,
  provider: OAuthProvider,
  server: oauth.AuthorizationServer,
  idToken: string,
  nonce: string | null,
): Promise<Result<ExternalIdentity>> {
  if (idToken === "") return fail("oauth_credential_invalid", { reason: "no id_token" });
  const claims = await verifyIdToken(context, provider, server, idToken, nonce);
  return claims.ok ? identityFromClaims(provider, claims.value) : claims;
}
