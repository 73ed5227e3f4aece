// The API-key routes and the client_credentials grant in /openapi.json (src/routes/openapi.ts), with
// the security schemes a key is presented by.
import type { Operation } from "./openapi";
import "./api-key-schemas";

/** An API key as `Authorization: Bearer ea_sk_…` or `X-API-Key: ea_sk_…`. */
export const API_KEY_SECURITY: Record<string, string[]>[] = [{ apiKeyHeader: [] }, { apiKeyBearer: [] }];

export const API_KEY_SECURITY_SCHEMES = {
  apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
  apiKeyBearer: { type: "http", scheme: "bearer", bearerFormat: "ea_sk_<32 base62>_<6 base62 CRC32>" },
  clientBasic: { type: "http", scheme: "basic", description: "client_id = the key's id, password = the key" },
};

export const API_KEY_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/keys",
    summary: "Create an API key (the key is in this answer only); scopes `verify`, `nap` (`admin` is operators')",
    secured: true,
    body: "ApiKeyCreateRequest",
    responses: { 201: "IssuedApiKey", 403: "Problem", 409: "Problem" },
  },
  {
    method: "get",
    path: "/v1/keys",
    summary: "The user's usable API keys (never the keys themselves)",
    secured: true,
    responses: { 200: "ApiKeyList" },
  },
  {
    method: "delete",
    path: "/v1/keys/{id}",
    summary: "Revoke an API key at once (its client_credentials tokens are denylisted)",
    secured: true,
    responses: { 204: null, 404: "Problem" },
  },
  {
    method: "post",
    path: "/v1/keys/{id}/roll",
    summary: "Roll an API key: a successor now, the old key valid for grace_seconds (≤ 7 days)",
    secured: true,
    body: "ApiKeyRollRequest",
    responses: { 201: "IssuedApiKey", 404: "Problem", 409: "Problem" },
  },
  {
    method: "post",
    path: "/v1/oauth/token",
    summary:
      "client_credentials (RFC 6749 §4.4: an API key for a short-lived access token) or authorization_code (a social sign-in's one-time code with its PKCE verifier: the token response, or the MFA challenge)",
    body: "OAuthTokenRequest",
    security: [{ clientBasic: [] }, ...API_KEY_SECURITY, {}],
    responses: { 200: "OAuthTokenResponse", 400: "OAuthError", 401: "OAuthError" },
  },
];

/** An organization's keys (owner, admin: "manage_api_keys"). */
export const ORG_API_KEY_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/orgs/{id}/api-keys",
    summary: "Create an API key owned by the organization (the key is in this answer only; owner, admin)",
    secured: true,
    body: "ApiKeyCreateRequest",
    responses: { 201: "IssuedApiKey", 403: "Problem", 404: "Problem", 409: "Problem" },
  },
  {
    method: "get",
    path: "/v1/orgs/{id}/api-keys",
    summary: "The organization's usable API keys (never the keys themselves; owner, admin)",
    secured: true,
    responses: { 200: "ApiKeyList", 403: "Problem", 404: "Problem" },
  },
  {
    method: "delete",
    path: "/v1/orgs/{id}/api-keys/{keyId}",
    summary: "Revoke an organization's API key at once (owner, admin)",
    secured: true,
    responses: { 204: null, 403: "Problem", 404: "Problem" },
  },
  {
    method: "post",
    path: "/v1/orgs/{id}/api-keys/{keyId}/roll",
    summary: "Roll an organization's API key: a successor now, the old key valid for grace_seconds (owner, admin)",
    secured: true,
    body: "ApiKeyRollRequest",
    responses: { 201: "IssuedApiKey", 403: "Problem", 404: "Problem", 409: "Problem" },
  },
];
