// POST /v1/oauth/token with grant_type=client_credentials (RFC 6749 §4.4): an API key, as the client
// secret, for a short-lived access token. The key travels by HTTP Basic (§2.3.1: client_id = the key's
// id, password = the key), in the body (`client_secret`, optional `client_id`), or as Bearer / X-API-Key;
// more than one of these is refused (§2.3). Errors are §5.2's `{error}` (a 429 or an outage stays a
// problem document, like every gate's).

import { type Context, Hono } from "hono";
import { AppError } from "../errors";
import { authenticateApiKey } from "../services/api-key-auth";
import { exchangeApiKey } from "../services/client-credentials";
import { readPresentedApiKey } from "./http/api-key-auth";
import type { AppEnv } from "./http/app-env";
import { readBodyObject } from "./http/body";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { authorizationCodeGrant } from "./oauth-code-grant";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
/** RFC 6749 §3.3 scope-token characters, space-separated. */
const SCOPE_LIST = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const BASIC = /^Basic +([A-Za-z0-9+/]+=*) *$/i;

type OAuthErrorCode = "invalid_request" | "invalid_client" | "invalid_scope" | "unsupported_grant_type";

function oauthError(c: Context, error: OAuthErrorCode, description: string, basic = false): Response {
  const status = error === "invalid_client" ? 401 : 400;
  // §5.2: a client that authenticated by the Authorization header is answered with its scheme.
  const challenge: Record<string, string> = basic ? { "WWW-Authenticate": 'Basic realm="edge-auth"' } : {};
  return c.json({ error, error_description: description }, status, { ...NO_STORE, ...challenge });
}

/** The Basic credentials (both parts form-urlencoded, §2.3.1), null when absent, undefined when malformed. */
function readBasic(c: Context): { clientId: string; secret: string } | null | undefined {
  const header = c.req.header("Authorization");
  if (!header || !/^basic /i.test(header)) return null;
  const encoded = BASIC.exec(header)?.[1];
  try {
    const decoded = encoded ? atob(encoded) : "";
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const part = (text: string) => decodeURIComponent(text.replaceAll("+", " "));
    return { clientId: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const oauthTokenRoutes = new Hono<AppEnv>();

oauthTokenRoutes.post("/v1/oauth/token", gate("exchange_api_key"), async (c) => {
  let body: Record<string, unknown>;
  try {
    body = await readBodyObject(c);
  } catch (error) {
    if (error instanceof AppError) return oauthError(c, "invalid_request", "the body is not a valid form");
    throw error;
  }
  const grantType = text(body.grant_type);
  if (!grantType) return oauthError(c, "invalid_request", "grant_type is required");
  // A social login's sign-in code and the SPA's PKCE verifier (src/routes/oauth-code-grant.ts).
  if (grantType === "authorization_code") return authorizationCodeGrant(c, body);
  if (grantType !== "client_credentials") return oauthError(c, "unsupported_grant_type", "only client_credentials");
  if (body.scope !== undefined && typeof body.scope !== "string") return oauthError(c, "invalid_request", "bad scope");
  const scopeText = text(body.scope) ?? "";
  if (scopeText !== "" && !SCOPE_LIST.test(scopeText)) return oauthError(c, "invalid_scope", "malformed scope");

  const basic = readBasic(c);
  if (basic === undefined) return oauthError(c, "invalid_client", "malformed Basic credentials", true);
  const fromBody = text(body.client_secret);
  const presented = readPresentedApiKey(c);
  const methods = [basic?.secret, fromBody, presented].filter((value) => value !== undefined && value !== null);
  if (methods.length > 1) return oauthError(c, "invalid_request", "use one way to authenticate the client");
  const secret = methods[0];
  if (!secret) return oauthError(c, "invalid_client", "no client credentials");

  const result = await authenticateApiKey(c.get("services"), secret, requestScope(c));
  if (!result.ok) {
    if (result.error.code === "invalid_api_key") return oauthError(c, "invalid_client", "unknown client", !!basic);
    throw new AppError(result.error);
  }
  const clientId = basic ? basic.clientId : text(body.client_id);
  if (clientId !== undefined && clientId !== "" && clientId !== result.value.key.id) {
    return oauthError(c, "invalid_client", "unknown client", !!basic);
  }
  const requested = scopeText === "" ? undefined : scopeText.split(" ");
  const token = await exchangeApiKey(c.get("services"), result.value, requested);
  if (!token.ok) return oauthError(c, "invalid_scope", "the key does not hold every scope asked for");
  const { accessToken, expiresIn, scope } = token.value;
  return c.json({ access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, scope }, 200, NO_STORE);
});
