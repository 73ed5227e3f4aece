// The social-login routes in /openapi.json (src/routes/openapi.ts). The authorization_code grant of
// POST /v1/oauth/token is described with that endpoint (src/routes/api-key-openapi.ts owns it).
import type { Operation } from "./openapi";
import "./oauth-schemas";

const provider = {
  name: "provider",
  in: "path",
  required: true,
  schema: { type: "string", examples: ["google", "github", "apple", "microsoft"] },
};
const query = (name: string, description: string, required = true) => ({
  name,
  in: "query",
  required,
  description,
  schema: { type: "string" },
});

export const OAUTH_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/oauth/{provider}/authorize",
    summary:
      "Start a social login (query: redirect_to from OAUTH_REDIRECT_ALLOWLIST, code_challenge = the SPA's S256 PKCE challenge): 302 to the provider, with a __Host- cookie binding the flow to this browser",
    parameters: [
      provider,
      query("redirect_to", "Exactly one of OAUTH_REDIRECT_ALLOWLIST"),
      query("code_challenge", "BASE64URL(SHA-256(code_verifier)), 43 characters"),
      query("code_challenge_method", "S256 (the only one)", false),
    ],
    responses: { 302: null, 404: "Problem", 503: "Problem" },
  },
  {
    method: "get",
    path: "/v1/oauth/{provider}/callback",
    summary:
      "The provider's redirect back: 302 to redirect_to?code=… (a one-time code for POST /v1/oauth/token with the PKCE verifier), or redirect_to?error=…",
    parameters: [provider],
    responses: { 302: null, 400: "Problem" },
  },
  {
    method: "post",
    path: "/v1/oauth/{provider}/callback",
    summary: "The same callback for providers answering with response_mode=form_post (Apple)",
    parameters: [provider],
    responses: { 302: null, 400: "Problem" },
  },
  {
    method: "post",
    path: "/v1/oauth/{provider}/token",
    summary:
      "Exchange a provider credential (an ID token with its nonce, a popup authorization code, or a GitHub access token) for a session; 201 when the account was created, the MFA challenge when it has a second factor",
    parameters: [provider],
    body: "OAuthCredentialRequest",
    responses: { 200: "LoginResponse", 201: "TokenResponse", 401: "Problem", 403: "Problem", 503: "Problem" },
  },
  {
    method: "get",
    path: "/v1/me/identities",
    summary: "The external accounts linked to the signed-in user",
    secured: true,
    responses: { 200: "IdentityList" },
  },
  {
    method: "post",
    path: "/v1/me/identities/{provider}",
    summary:
      "Link an external account (a provider credential, as for the exchange) after re-authentication: the password, or a sign-in in the last five minutes for a password-less account",
    secured: true,
    parameters: [provider],
    body: "OAuthLinkRequest",
    responses: { 201: "Identity", 401: "Problem", 409: "Problem" },
  },
  {
    method: "delete",
    path: "/v1/me/identities/{provider}",
    summary: "Unlink the provider's external account (re-authentication as for linking); never the last way to sign in",
    secured: true,
    parameters: [provider],
    body: "OAuthUnlinkRequest?",
    responses: { 204: null, 404: "Problem", 409: "Problem" },
  },
];
