// OAUTH_DEV_PROVIDER: the built-in dev identity provider (provider `dev`, served by this Worker at
// /dev/idp/…), so a developer clicks through the whole social-login redirect flow offline. Like
// DEV_OUTBOX it may be on only when ISSUER names this machine: a deployment that sets it is refused
// when the config is read (and by scripts/deploy-check.mjs before that).

import * as z from "zod";
import { isLocalIssuer, LOCAL_ISSUER_HOSTS } from "../local-issuer";
import { type Parsed, parseSection } from "./config-error";
import { commaList, trueOrFalse } from "./env-fields";
import type { IssuerFacts } from "./issuer-env";
import type { OAuthConfig, OAuthProvider } from "./oauth-env";

export const DEV_PROVIDER_NAME = "dev";
export const DEV_CLIENT_ID = "edge-auth-dev";
/**
 * Not a secret: the dev provider exists on a local issuer only, and only this Worker redeems its
 * codes (in process, src/services/oauth/dev-idp-channel.ts). It keeps the token endpoint honest.
 */
export const DEV_CLIENT_SECRET = "edge-auth-dev-client";

/** The dev provider's issuer: this Worker's own /dev/idp. */
export const devIssuerOf = (issuer: string) => `${issuer}/dev/idp`;

const DevProviderEnv = (issuer: IssuerFacts) =>
  z.object({
    OAUTH_DEV_PROVIDER: trueOrFalse("false").refine((on) => !on || issuer.url === null || issuer.local, {
      message: `may only be true when ISSUER is local (${LOCAL_ISSUER_HOSTS})`,
    }),
  });

/** OAUTH_DEV_PROVIDER: off unless exactly "true", and then only on a local issuer. */
export function parseOAuthDevEnv(env: Record<string, unknown>, issuer: IssuerFacts): Parsed<boolean> {
  const parsed = parseSection(DevProviderEnv(issuer), env);
  if (!parsed.ok) return parsed;
  const on = parsed.value.OAUTH_DEV_PROVIDER;
  const generic = commaList.parse(env.OAUTH_OIDC_PROVIDERS).map((entry) => entry.split("=")[0]?.trim());
  if (on && generic.includes(DEV_PROVIDER_NAME))
    return { ok: false, problems: ["OAUTH_OIDC_PROVIDERS names dev, which OAUTH_DEV_PROVIDER=true reserves"] };
  return { ok: true, value: on };
}

function devProvider(issuer: string): OAuthProvider {
  return {
    name: DEV_PROVIDER_NAME,
    kind: "oidc",
    issuer: devIssuerOf(issuer),
    clientId: DEV_CLIENT_ID,
    audiences: [DEV_CLIENT_ID],
    clientSecret: DEV_CLIENT_SECRET,
    apple: null,
    subject: "sub",
    responseMode: "query",
    scopes: ["openid", "email", "profile"],
  };
}

/** The OAuth section with the dev provider appended when it is on. */
export function withDevProvider(oauth: OAuthConfig, on: boolean, issuer: string): OAuthConfig {
  return on ? { ...oauth, providers: [...oauth.providers, devProvider(issuer)] } : oauth;
}

/** The dev provider when it is configured (OAUTH_DEV_PROVIDER=true on a local issuer), else null. */
export const devProviderOf = (oauth: OAuthConfig): OAuthProvider | null =>
  oauth.providers.find(
    (provider) =>
      provider.name === DEV_PROVIDER_NAME && provider.clientId === DEV_CLIENT_ID && isLocalIssuer(provider.issuer),
  ) ?? null;
