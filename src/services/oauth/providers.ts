// A configured provider as oauth4webapi needs it: its authorization server metadata (OIDC discovery,
// cached per isolate; GitHub's fixed endpoints), our client, and how we authenticate to its token
// endpoint. Every request to a provider goes through `providerFetch`: a deadline, no redirects
// followed (oauth4webapi asks for redirect "manual"; workerd refuses "error").

import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../../config";
import { devProviderOf } from "../../config/oauth-dev-env";
import { fail, type Result, succeed } from "../../errors";
import type { ServiceContext } from "../context";
import { appleClientSecret } from "./apple-client-secret";
import { devIdpChannel } from "./dev-idp-slot";
import { classifyProviderError } from "./provider-errors";

/** GitHub is not an OIDC provider: its endpoints are fixed and documented. */
const GITHUB_SERVER: oauth.AuthorizationServer = {
  issuer: "https://github.com",
  authorization_endpoint: "https://github.com/login/oauth/authorize",
  token_endpoint: "https://github.com/login/oauth/access_token",
};

export function findProvider(context: ServiceContext, name: string): Result<OAuthProvider> {
  const provider = context.config.oauth.providers.find((candidate) => candidate.name === name);
  // The dev provider exists only in the dev build (./dev-idp-slot.ts), whatever the config says.
  const absent = !provider || (provider === devProviderOf(context.config.oauth) && !devIdpChannel());
  return absent ? fail("oauth_provider_not_found", { reason: "unconfigured provider" }) : succeed(provider);
}

/** The dev provider is configured and this build has it (OAUTH_DEV_PROVIDER on a local issuer, src/dev.ts). */
const devIdpServes = (context: ServiceContext) =>
  devIdpChannel() !== null && devProviderOf(context.config.oauth) !== null;

/**
 * The fetch oauth4webapi and jose are handed: global fetch looked up at call time (tests intercept
 * it), with the provider deadline.
 */
export function providerFetch(context: ServiceContext): typeof fetch {
  const timeoutMs = context.config.oauth.timeoutMs;
  const timed: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  // The dev identity provider (OAUTH_DEV_PROVIDER, local issuer, dev build only) answers in process.
  return devIdpServes(context) ? (devIdpChannel()?.wrapFetch(context, timed) ?? timed) : timed;
}

/**
 * Options oauth4webapi takes on every request to `issuer`'s provider. Plain http only to an http
 * issuer, which the config admits on this machine alone (a local IdP; src/config/oauth-env.ts).
 */
export function requestOptions(context: ServiceContext, issuer: string) {
  const insecure = issuer.startsWith("http:") ? { [oauth.allowInsecureRequests]: true } : {};
  return { [oauth.customFetch]: providerFetch(context), ...insecure };
}

const discovered = new Map<string, Promise<oauth.AuthorizationServer>>();

async function discover(context: ServiceContext, issuer: string): Promise<oauth.AuthorizationServer> {
  const issuerUrl = new URL(issuer);
  const response = await oauth.discoveryRequest(issuerUrl, { ...requestOptions(context, issuer), algorithm: "oidc" });
  return oauth.processDiscoveryResponse(issuerUrl, response);
}

/** The provider's metadata; a failed discovery is not cached, so the next request tries again. */
export async function authorizationServer(
  context: ServiceContext,
  provider: OAuthProvider,
): Promise<Result<oauth.AuthorizationServer>> {
  if (provider.kind === "github") return succeed(GITHUB_SERVER);
  let pending = discovered.get(provider.issuer);
  if (!pending) {
    pending = discover(context, provider.issuer);
    discovered.set(provider.issuer, pending);
    pending.catch(() => discovered.delete(provider.issuer));
  }
  try {
    return succeed(await pending);
  } catch (error) {
    return classifyProviderError(error, "discovery");
  }
}

export function clientOf(provider: OAuthProvider): oauth.Client {
  return { client_id: provider.clientId };
}

/** Client authentication at the token endpoint: the secret by POST, or Apple's freshly signed JWT. */
export async function clientAuthOf(context: ServiceContext, provider: OAuthProvider): Promise<oauth.ClientAuth> {
  if (provider.apple) return oauth.ClientSecretPost(await appleClientSecret(context, provider));
  return oauth.ClientSecretPost(provider.clientSecret ?? "");
}
