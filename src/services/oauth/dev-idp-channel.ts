// The dev identity provider's back channel (OAUTH_DEV_PROVIDER, local issuer only): the requests the
// core sends a provider (discovery, JWKS, the token endpoint) answered in process when they are for
// this Worker's own /dev/idp, so the redirect flow works offline and no request leaves the Worker.
// src/dev.ts installs it in ./dev-idp-slot.ts, which providerFetch (./providers.ts) consults; the
// public /dev/idp/token route shares its answer.

import { devIssuerOf } from "../../config/oauth-dev-env";
import type { Result } from "../../errors";
import type { ServiceContext } from "../context";
import { type DevTokenAnswer, devDiscovery, devIdpEnabled, redeemDevCode } from "./dev-idp";
import { devJwks } from "./dev-idp-keys";
import type { DevIdpChannel } from "./dev-idp-slot";

/** A token request is a few hundred bytes; anything longer is not read. */
const MAX_FORM_BYTES = 8192;

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });

/** The token endpoint's answer: the tokens, or RFC 6749 §5.2's name for the refusal. */
export function devTokenResponse(result: Result<DevTokenAnswer>): Response {
  return result.ok ? json(result.value) : tokenError(result.error.code);
}

function tokenError(code: string): Response {
  if (code === "invalid_credentials") return json({ error: "invalid_client" }, 401);
  if (code === "invalid_code") return json({ error: "invalid_grant" }, 400);
  if (code === "rate_limited") return json({ error: "temporarily_unavailable" }, 503);
  return json({ error: "invalid_request" }, 400);
}

async function answerToken(context: ServiceContext, request: Request): Promise<Response> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return json({ error: "invalid_request" }, 400);
  const text = await request.text();
  if (text.length > MAX_FORM_BYTES) return json({ error: "invalid_request" }, 400);
  return devTokenResponse(await redeemDevCode(context, new URLSearchParams(text)));
}

/** The dev provider's answer to `request`, or null when it is not for /dev/idp (or the provider is off). */
export async function answerDevIdp(context: ServiceContext, request: Request): Promise<Response | null> {
  if (!devIdpEnabled(context)) return null;
  const issuer = devIssuerOf(context.config.issuer);
  const url = new URL(request.url);
  if (url.origin !== new URL(issuer).origin || !url.pathname.startsWith(`${new URL(issuer).pathname}/`)) return null;
  const path = url.pathname.slice(new URL(issuer).pathname.length);
  if (request.method === "GET" && path === "/.well-known/openid-configuration") return json(devDiscovery(context));
  if (request.method === "GET" && path === "/jwks") return json(await devJwks());
  if (request.method === "POST" && path === "/token") return answerToken(context, request);
  return null;
}

const urlOf = (input: RequestInfo | URL) =>
  typeof input === "string" ? input : input instanceof URL ? input.href : input.url;

/** For providerFetch: answers what is the dev provider's, and leaves every other request to `next`. */
function withDevIdp(context: ServiceContext, next: typeof fetch): typeof fetch {
  if (!devIdpEnabled(context)) return next;
  const prefix = `${devIssuerOf(context.config.issuer)}/`;
  return async (input, init) => {
    if (!urlOf(input).startsWith(prefix)) return next(input, init);
    return (await answerDevIdp(context, new Request(input, init))) ?? json({ error: "not_found" }, 404);
  };
}

/** What src/dev.ts installs (./dev-idp-slot.ts). */
export const devIdpBackChannel: DevIdpChannel = { wrapFetch: withDevIdp };
