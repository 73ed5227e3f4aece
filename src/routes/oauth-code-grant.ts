// POST /v1/oauth/token with grant_type=authorization_code (RFC 6749 §4.1.3 with PKCE, RFC 7636
// §4.5): the SPA's one-time sign-in code from a social login's redirect, and its code_verifier, for
// the token response, or the MFA challenge when the account has a second factor. Errors are §5.2's
// `{error}`; every refusal of the code is invalid_grant (no oracle on why). Called from
// src/routes/oauth-token-routes.ts, which owns the endpoint and its other grant.

import type { Context } from "hono";
import { AppError } from "../errors";
import { exchangeSignInCode } from "../services/oauth/sign-in-code";
import { flowStartedBody } from "./flow-routes";
import type { AppEnv } from "./http/app-env";
import { clientInfo } from "./http/client";
import { logRefusal } from "./http/problem";
import { requestScope } from "./http/request-scope";
import { tokenResponseBody } from "./http/token-transport";
import { mfaRequiredBody } from "./mfa-routes";
import { OAuthCodeGrantBody } from "./oauth-schemas";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

function grantError(c: Context, error: "invalid_request" | "invalid_grant", description: string): Response {
  return c.json({ error, error_description: description }, 400, NO_STORE);
}

/** RFC 6749 §3.1: a parameter sent without a value is treated as omitted. */
const withoutEmpty = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([, value]) => value !== ""));

export async function authorizationCodeGrant(c: Context<AppEnv>, body: Record<string, unknown>): Promise<Response> {
  const parsed = OAuthCodeGrantBody.safeParse(withoutEmpty(body));
  if (!parsed.success)
    return grantError(c, "invalid_request", "code and code_verifier (43..128 unreserved characters) are required");
  const { code, code_verifier, redirect_uri } = parsed.data;
  const services = c.get("services");
  const result = await exchangeSignInCode(
    services,
    { code, codeVerifier: code_verifier, redirectUri: redirect_uri },
    clientInfo(c),
    requestScope(c),
  );
  if (!result.ok) {
    if (result.error.code === "invalid_code") {
      logRefusal(result.error);
      return grantError(c, "invalid_grant", "the code is invalid, used, expired, or the verifier does not match");
    }
    throw new AppError(result.error);
  }
  const outcome = result.value;
  if (outcome.kind === "flow") return c.json(flowStartedBody(outcome), 200, NO_STORE);
  if (outcome.kind === "mfa_required") return c.json(mfaRequiredBody(outcome), 200, NO_STORE);
  return c.json(tokenResponseBody(c, outcome.tokens), 200, NO_STORE);
}
