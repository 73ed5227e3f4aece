// A Google access token a client already holds (Bookings' clients send one as `access_code`): Google's
// tokeninfo endpoint says whom it was issued to and for whom. Its `aud` must be one of our client ids,
// and its `azp` too when present; it must be unexpired and carry a subject; the email counts only as
// Google verified it. Google refusing the token (4xx) is the token's fault; anything else an outage.

import type { OAuthProvider } from "../../config";
import { fail, type Result } from "../../errors";
import { requestProviderJson } from "../../outbound/provider-request";
import type { ServiceContext } from "../context";
import { type ExternalIdentity, identityFromClaims } from "./external-identity";
import { providerFetch } from "./providers";

export const GOOGLE_TOKENINFO = "https://oauth2.googleapis.com/tokeninfo";
const MAX_TOKEN_LENGTH = 2048;

interface TokenInfo {
  aud?: unknown;
  azp?: unknown;
  sub?: unknown;
  exp?: unknown;
  email?: unknown;
  email_verified?: unknown;
}

export async function identityFromGoogleAccessToken(
  context: ServiceContext,
  provider: OAuthProvider,
  accessToken: string,
): Promise<Result<ExternalIdentity>> {
  if (accessToken.length > MAX_TOKEN_LENGTH) return fail("oauth_credential_invalid", { reason: "oversized token" });
  const send = providerFetch(context);
  const answer = await requestProviderJson({
    provider: "google",
    kind: "tokeninfo",
    url: `${GOOGLE_TOKENINFO}?access_token=${encodeURIComponent(accessToken)}`,
    init: { method: "GET", headers: { Accept: "application/json" } },
    fetch: (input, init) => send(input, { ...init, redirect: "manual" }),
    timeoutMs: context.config.oauth.timeoutMs,
  });
  if (!answer.ok) {
    // Google refusing the token (4xx) is the token's fault; a redirect or anything else an outage.
    const refused = (answer.failure === "rejected" && (answer.status ?? 0) >= 400) || answer.failure === "unauthorized";
    return refused
      ? fail("oauth_credential_invalid", { reason: `google tokeninfo: ${answer.status ?? "no status"}` })
      : fail("oauth_provider_unavailable", { reason: `google tokeninfo: ${answer.failure}` });
  }
  const info = (answer.body ?? {}) as TokenInfo;
  // As for an ID token: `aud` one of our client ids, and `azp` too when Google names one.
  const isOurs = (id: unknown) => typeof id === "string" && provider.audiences.includes(id);
  if (!isOurs(info.aud) || (info.azp !== undefined && !isOurs(info.azp)))
    return fail("oauth_credential_invalid", { reason: "google access token of another client" });
  const exp = Number(info.exp);
  if (!Number.isFinite(exp) || exp <= context.now())
    return fail("oauth_credential_invalid", { reason: "google access token expired" });
  if (typeof info.sub !== "string") return fail("oauth_credential_invalid", { reason: "tokeninfo without sub" });
  return identityFromClaims(provider, { sub: info.sub, email: info.email, email_verified: info.email_verified });
}
