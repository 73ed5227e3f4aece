// The signed-in person's linked external identities: list, link (with a provider credential and
// re-authentication), unlink (never the last way to sign in). Every route checks the session in D1.

import { type Context, Hono } from "hono";
import { AppError } from "../errors";
import type { Identity } from "../services/model";
import type { ProviderCredential } from "../services/oauth/credential-exchange";
import { linkIdentity, listOwnIdentities, unlinkIdentity } from "../services/oauth/identity-management";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { requestScope } from "./http/request-scope";
import { OAuthLinkBody, OAuthProviderParam, OAuthUnlinkBody } from "./oauth-schemas";

const NO_STORE = { "Cache-Control": "no-store" };
const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString();

export function toPublicIdentity(identity: Identity) {
  return {
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email,
    email_verified: identity.emailVerified,
    created_at: isoTime(identity.createdAt),
    last_used_at: identity.lastUsedAt === null ? null : isoTime(identity.lastUsedAt),
  };
}

function providerOf(c: Context): string {
  const parsed = OAuthProviderParam.safeParse(c.req.param());
  if (!parsed.success) throw new AppError({ code: "oauth_provider_not_found", reason: "malformed provider name" });
  return parsed.data.provider;
}

function credentialOf(body: Record<string, unknown>): ProviderCredential {
  const text = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : null);
  const idToken = text("id_token");
  if (idToken !== null) return { kind: "id_token", idToken, nonce: text("nonce") ?? "" };
  const accessToken = text("access_token");
  if (accessToken !== null) return { kind: "access_token", accessToken };
  const code = text("code") ?? "";
  const redirectUri = text("redirect_uri") ?? "";
  return { kind: "code", code, redirectUri, codeVerifier: text("code_verifier"), nonce: text("nonce") };
}

export const oauthIdentityRoutes = new Hono<AppEnv>();

oauthIdentityRoutes.get("/v1/me/identities", requireCaller);
oauthIdentityRoutes.on(["POST", "DELETE"], "/v1/me/identities/:provider", requireCaller);

oauthIdentityRoutes.get("/v1/me/identities", async (c) => {
  const identities = await listOwnIdentities(c.get("services"), c.get("principal"));
  return c.json({ identities: identities.map(toPublicIdentity) }, 200, NO_STORE);
});

oauthIdentityRoutes.post("/v1/me/identities/:provider", async (c) => {
  const provider = providerOf(c);
  const body = (await readBody(c, OAuthLinkBody)) as Record<string, unknown>;
  const password = typeof body.password === "string" ? body.password : undefined;
  const request = { provider, credential: credentialOf(body), ...(password === undefined ? {} : { password }) };
  const result = await linkIdentity(c.get("services"), c.get("principal"), request, clientInfo(c), requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  // 200 when the identity was this account's already: linking it again changes nothing.
  return c.json(toPublicIdentity(result.value.identity), result.value.created ? 201 : 200, NO_STORE);
});

oauthIdentityRoutes.delete("/v1/me/identities/:provider", async (c) => {
  const provider = providerOf(c);
  const { password } = await readBody(c, OAuthUnlinkBody, true);
  const request = { provider, ...(password === undefined ? {} : { password }) };
  const result = await unlinkIdentity(c.get("services"), c.get("principal"), request, clientInfo(c), requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});
