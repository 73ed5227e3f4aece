// The dev identity provider at /dev/idp/… (OAUTH_DEV_PROVIDER, which config allows on a local issuer
// only; otherwise every path answers exactly like an unknown one):
//   GET  /dev/idp/.well-known/openid-configuration, GET /dev/idp/jwks  → its discovery and keys
//   GET  /dev/idp/authorize?…  → the consent page (pick or type an email)
//   POST /dev/idp/authorize    → 302 to this Worker's /v1/oauth/dev/callback?code=…&state=…&iss=…
//   POST /dev/idp/token        → the token endpoint (the core reaches it in process; this is the same)

import { type Context, Hono } from "hono";
import { AppError } from "../errors";
import { AUTHORIZE_FIELDS, consentHeaders, renderConsentPage, renderRefusalPage } from "../pages/dev-idp-consent";
import {
  approveDevSignIn,
  checkDevAuthorize,
  DEV_EMAILS,
  devDiscovery,
  devIdpEnabled,
  redeemDevCode,
} from "../services/oauth/dev-idp";
import { devTokenResponse } from "../services/oauth/dev-idp-channel";
import { devJwks } from "../services/oauth/dev-idp-keys";
import type { AppEnv } from "./http/app-env";
import { readBodyObject } from "./http/body";
import { gate } from "./http/rate-limit";

const NOT_FOUND = { code: "not_found", reason: "dev identity provider is off" } as const;

function requireDevIdp(c: Context<AppEnv>): void {
  if (!devIdpEnabled(c.get("services"))) throw new AppError(NOT_FOUND);
}

/** The authorize parameters, one string each; a repeated or non-string one counts as absent. */
function authorizeParameters(source: Record<string, unknown>): Record<string, string | undefined> {
  const parameters: Record<string, string | undefined> = {};
  for (const name of AUTHORIZE_FIELDS) {
    const value = source[name];
    parameters[name] = typeof value === "string" ? value : undefined;
  }
  return parameters;
}

function queryOf(c: Context): Record<string, unknown> {
  const query = new URL(c.req.url).searchParams;
  const single: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) single[name] = query.getAll(name).length === 1 ? query.get(name) : null;
  return single;
}

function refusal(c: Context<AppEnv>, message: string): Response {
  return c.html(renderRefusalPage(message), 400, consentHeaders(c.get("services").config.oauth.redirectAllowlist));
}

export const devIdpRoutes = new Hono<AppEnv>();

devIdpRoutes.get("/dev/idp/.well-known/openid-configuration", gate("social_sign_in"), (c) => {
  requireDevIdp(c);
  return c.json(devDiscovery(c.get("services")), 200, { "Cache-Control": "no-store" });
});

devIdpRoutes.get("/dev/idp/jwks", gate("social_sign_in"), async (c) => {
  requireDevIdp(c);
  return c.json(await devJwks(), 200, { "Cache-Control": "no-store" });
});

devIdpRoutes.get("/dev/idp/authorize", gate("social_sign_in"), (c) => {
  requireDevIdp(c);
  const services = c.get("services");
  const parameters = authorizeParameters(queryOf(c));
  const checked = checkDevAuthorize(services, parameters);
  if (!checked.ok) {
    const issue = checked.error.issues?.[0];
    return refusal(c, issue ? `${issue.field} ${issue.message}.` : "The sign-in request is invalid.");
  }
  const page = renderConsentPage(parameters, DEV_EMAILS);
  return c.html(page, 200, consentHeaders(services.config.oauth.redirectAllowlist));
});

devIdpRoutes.post("/dev/idp/authorize", gate("social_sign_in"), async (c) => {
  requireDevIdp(c);
  const services = c.get("services");
  const body = await readBodyObject(c);
  // Hidden fields come back from the browser: checked again, exactly as on GET.
  const checked = checkDevAuthorize(services, authorizeParameters(body));
  if (!checked.ok) return refusal(c, "The sign-in request is invalid.");
  const approved = await approveDevSignIn(services, checked.value, typeof body.email === "string" ? body.email : "");
  if (!approved.ok) return refusal(c, "Enter a valid email address.");
  c.header("Cache-Control", "no-store");
  return c.redirect(approved.value.location, 302);
});

devIdpRoutes.post("/dev/idp/token", gate("social_sign_in"), async (c) => {
  requireDevIdp(c);
  const body = await readBodyObject(c);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") form.set(name, value);
  return devTokenResponse(await redeemDevCode(c.get("services"), form));
});
