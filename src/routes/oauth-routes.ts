// Social login's own routes (issue 12): the redirect flow's authorize and callback, and the
// credential exchange. Parse, validate, map; the flows are in src/services/oauth/.
//   GET  /v1/oauth/{provider}/authorize?redirect_to=…&code_challenge=…  → 302 to the provider
//   GET  /v1/oauth/{provider}/callback (POST for Apple's form_post)      → 302 to redirect_to?code=…
//   POST /v1/oauth/{provider}/token {id_token,nonce | code,… | access_token} → tokens or MFA challenge

import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AppError } from "../errors";
import { exchangeProviderCredential, type ProviderCredential } from "../services/oauth/credential-exchange";
import {
  type CallbackInput,
  FLOW_TTL_SECONDS,
  finishRedirectFlow,
  startRedirectFlow,
} from "../services/oauth/redirect-flow";
import { finishFirstFactorOrFlow } from "../services/sign-in-flow-service";
import { flowStartedBody } from "./flow-routes";
import type { AppEnv } from "./http/app-env";
import { readBody, readBodyObject, toFieldIssues } from "./http/body";
import { clientInfo } from "./http/client";
import { logRefusal } from "./http/problem";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { tokenResponseBody } from "./http/token-transport";
import { mfaRequiredBody } from "./mfa-routes";
import { OAuthAuthorizeQuery, OAuthCredentialBody, OAuthProviderParam } from "./oauth-schemas";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
/** `__Host-oauth_flow`: Secure, Path=/, no Domain, so no sibling subdomain can plant or read it. */
const BROWSER_COOKIE = "oauth_flow";
const MAX_PARAMETERS = 20;

function providerOf(c: Context): string {
  const parsed = OAuthProviderParam.safeParse(c.req.param());
  if (!parsed.success) throw new AppError({ code: "oauth_provider_not_found", reason: "malformed provider name" });
  return parsed.data.provider;
}

/** The query as one value per name: a repeated parameter is refused (which one would count?). */
function queryOf(c: Context): URLSearchParams {
  const query = new URL(c.req.url).searchParams;
  const names = [...query.keys()];
  if (names.length > MAX_PARAMETERS || new Set(names).size !== names.length)
    throw new AppError({
      code: "invalid_request",
      issues: [{ field: "query", message: "has repeated or too many parameters" }],
    });
  return query;
}

export const oauthRoutes = new Hono<AppEnv>();

oauthRoutes.get("/v1/oauth/:provider/authorize", gate("social_sign_in"), async (c) => {
  const provider = providerOf(c);
  const parsed = OAuthAuthorizeQuery.safeParse(Object.fromEntries(queryOf(c)));
  if (!parsed.success) throw new AppError({ code: "invalid_request", issues: toFieldIssues(parsed.error) });
  const { redirect_to, code_challenge, code_challenge_method } = parsed.data;
  const input = {
    provider,
    redirectTo: redirect_to,
    codeChallenge: code_challenge,
    codeChallengeMethod: code_challenge_method,
  };
  const started = await startRedirectFlow(c.get("services"), input);
  if (!started.ok) throw new AppError(started.error);
  setCookie(c, BROWSER_COOKIE, started.value.browserToken, {
    path: "/",
    secure: true,
    httpOnly: true,
    // Apple answers with a cross-site form POST, which a Lax cookie would not accompany.
    sameSite: started.value.provider.responseMode === "form_post" ? "None" : "Lax",
    maxAge: FLOW_TTL_SECONDS,
    prefix: "host",
  });
  c.header("Cache-Control", "no-store");
  return c.redirect(started.value.location, 302);
});

async function callback(
  c: Context<AppEnv>,
  parameters: URLSearchParams,
  responseMode: CallbackInput["responseMode"],
): Promise<Response> {
  const provider = providerOf(c);
  const browserToken = getCookie(c, BROWSER_COOKIE, "host") ?? null;
  const services = c.get("services");
  const input = { provider, parameters, browserToken, responseMode };
  const result = await finishRedirectFlow(services, input, requestScope(c));
  c.header("Cache-Control", "no-store");
  if (!result.ok) {
    const { redirectTo, ...failure } = result.error;
    // The flow is spent either way; a flow we know sends the SPA its error, never a token or a reason.
    if (!redirectTo) throw new AppError(failure);
    deleteCookie(c, BROWSER_COOKIE, { path: "/", secure: true, prefix: "host" });
    logRefusal(failure);
    return c.redirect(withParameter(redirectTo, "error", failure.code), 302);
  }
  deleteCookie(c, BROWSER_COOKIE, { path: "/", secure: true, prefix: "host" });
  return c.redirect(withParameter(result.value.redirectTo, "code", result.value.code), 302);
}

/**
 * `base` (an allowlisted URL, never with a fragment) with `name=value` appended: its own query kept
 * byte for byte, so the address the SPA lands on, less this parameter, is exactly its redirect_to.
 */
function withParameter(base: string, name: string, value: string): string {
  const separator = !base.includes("?") ? "?" : /[?&]$/.test(base) ? "" : "&";
  return `${base}${separator}${name}=${encodeURIComponent(value)}`;
}

oauthRoutes.get("/v1/oauth/:provider/callback", gate("social_sign_in"), (c) => callback(c, queryOf(c), "query"));

// Apple's response_mode=form_post: the authorization response arrives as a form body.
oauthRoutes.post("/v1/oauth/:provider/callback", gate("social_sign_in"), async (c) => {
  const body = await readBodyObject(c);
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") parameters.set(name, value);
  return callback(c, parameters, "form_post");
});

function credentialOf(body: typeof OAuthCredentialBody._output): ProviderCredential {
  if ("id_token" in body) return { kind: "id_token", idToken: body.id_token, nonce: body.nonce };
  if ("access_token" in body) return { kind: "access_token", accessToken: body.access_token };
  return {
    kind: "code",
    code: body.code,
    redirectUri: body.redirect_uri,
    codeVerifier: body.code_verifier ?? null,
    nonce: body.nonce ?? null,
  };
}

oauthRoutes.post("/v1/oauth/:provider/token", gate("social_sign_in"), async (c) => {
  const provider = providerOf(c);
  const body = await readBody(c, OAuthCredentialBody);
  const services = c.get("services");
  const credential = credentialOf(body);
  // As a password login: a user of two or more organizations is answered a sign-in flow.
  const result = await exchangeProviderCredential(
    services,
    provider,
    credential,
    clientInfo(c),
    requestScope(c),
    finishFirstFactorOrFlow,
  );
  if (!result.ok) throw new AppError(result.error);
  const { outcome, created } = result.value;
  if (outcome.kind === "flow") return c.json(flowStartedBody(outcome), 200, NO_STORE);
  if (outcome.kind === "mfa_required") return c.json(mfaRequiredBody(outcome), 200, NO_STORE);
  return c.json(tokenResponseBody(c, outcome.tokens), created ? 201 : 200, NO_STORE);
});
