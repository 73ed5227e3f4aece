// Request schemas of the social-login routes (issue 12); the same objects validate requests and
// generate /openapi.json (src/routes/oauth-openapi.ts).

import * as z from "zod";
import { ClientCredentialsRequest, ClientCredentialsResponse } from "./api-key-schemas";
import { MfaRequired } from "./mfa-schemas";
import { TokenResponse, User } from "./schemas";

export const OAuthProviderParam = z.object({ provider: z.string().regex(/^[a-z][a-z0-9]{1,19}$/) });

export const OAuthAuthorizeQuery = z.strictObject({
  redirect_to: z.string().min(1).max(2048),
  code_challenge: z.string().min(1).max(128),
  code_challenge_method: z.literal("S256").optional(),
});

const nonce = z.string().min(1).max(512).meta({ description: "The nonce the client put in the credential." });

export const OAuthCredentialBody = z
  .union([
    z.strictObject({ id_token: z.string().min(1).max(8192), nonce }),
    z.strictObject({
      code: z.string().min(1).max(2048),
      redirect_uri: z.string().min(1).max(2048).meta({ description: "An allowlisted URL, or `postmessage`." }),
      code_verifier: z.string().min(43).max(128).optional(),
      nonce: nonce.optional(),
    }),
    // Google documents access tokens of up to 2048 bytes (GitHub's own limit is checked in github.ts).
    z.strictObject({ access_token: z.string().min(1).max(2048).meta({ description: "GitHub and Google only." }) }),
  ])
  .meta({ id: "OAuthCredentialRequest" });

/**
 * Not strict: RFC 6749 §3.2 has the token endpoint ignore parameters it does not know, and a
 * standard public client sends its `client_id` (§4.1.3), which this grant does not use.
 */
export const OAuthCodeGrantBody = z
  .object({
    grant_type: z.literal("authorization_code"),
    code: z.string().min(1).max(128),
    // RFC 7636 §4.1 (checked again where the code is redeemed, src/services/oauth/sign-in-code.ts).
    code_verifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/),
    redirect_uri: z.string().max(2048).optional(),
  })
  .meta({ id: "OAuthAuthorizationCodeRequest" });

const password = z.string().max(1024).meta({ description: "Re-authentication: required when the account has one." });

/** Linking: the same credentials as the exchange, and the password for re-authentication. */
export const OAuthLinkBody = z
  .union(OAuthCredentialBody.options.map((option) => option.extend({ password: password.optional() })))
  .meta({ id: "OAuthLinkRequest" });

export const OAuthUnlinkBody = z.strictObject({ password: password.optional() }).meta({ id: "OAuthUnlinkRequest" });

export const PublicIdentity = z
  .object({
    provider: z.string(),
    subject: z.string(),
    email: z.string().nullable(),
    email_verified: z.boolean(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .meta({ id: "Identity" });

export const IdentityList = z.object({ identities: z.array(PublicIdentity) }).meta({ id: "IdentityList" });

/** GET /v1/me: the profile and the linked identities. */
export const Me = User.extend({ identities: z.array(PublicIdentity) }).meta({ id: "Me" });

/** POST /v1/oauth/token's two grants, in /openapi.json. */
export const OAuthTokenRequest = z
  .union([ClientCredentialsRequest, OAuthCodeGrantBody])
  .meta({ id: "OAuthTokenRequest" });
export const OAuthTokenResponse = z
  .union([ClientCredentialsResponse, TokenResponse, MfaRequired])
  .meta({ id: "OAuthTokenResponse" });
