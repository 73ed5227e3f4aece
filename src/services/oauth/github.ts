// GitHub is OAuth 2.0 without ID tokens: the person is GitHub's numeric user id (`/user`), and the
// email is the *primary verified* address from `/user/emails`, never an unverified one. An access
// token a client brings is first checked to be issued to our OAuth app (`POST /applications/
// {client_id}/token`, authenticated as the app): a token from any other app is refused.

import type { OAuthProvider } from "../../config";
import { fail, type Result, succeed } from "../../errors";
import { type ProviderAnswer, requestProviderJson } from "../../outbound/provider-request";
import type { ServiceContext } from "../context";
import { normalizeEmail } from "../identifiers";
import type { ExternalIdentity } from "./external-identity";
import { providerFetch } from "./providers";

const API = "https://api.github.com";
const MAX_TOKEN_LENGTH = 512;

function headers(authorization: string): Record<string, string> {
  return {
    Accept: "application/vnd.github+json",
    Authorization: authorization,
    "User-Agent": "edge-auth",
    "X-GitHub-Api-Version": "2022-11-28",
  };
}

function call(
  context: ServiceContext,
  kind: string,
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
) {
  const send = providerFetch(context);
  return requestProviderJson({
    provider: "github",
    kind,
    url,
    init,
    // Redirects are answered, not followed: a 3xx is GitHub misbehaving, reported as an outage.
    fetch: (input, requestInit) => send(input, { ...requestInit, redirect: "manual" }),
    timeoutMs: context.config.oauth.timeoutMs,
  });
}

/** A failed answer: GitHub refusing the token is the token's fault; anything else an outage. */
function refusal(answer: Exclude<ProviderAnswer, { ok: true }>, step: string): Result<never> {
  const tokenRefused = answer.failure === "rejected" && (answer.status ?? 0) >= 400;
  const tokenUnauthorized = answer.failure === "unauthorized" && step !== "token_check";
  return tokenRefused || tokenUnauthorized
    ? fail("oauth_credential_invalid", { reason: `github ${step}: ${answer.status ?? "no status"}` })
    : fail("oauth_provider_unavailable", { reason: `github ${step}: ${answer.failure}` });
}

/** True when GitHub says `accessToken` was issued to our app (404/422: it was not). */
export async function checkGitHubTokenIsOurs(
  context: ServiceContext,
  provider: OAuthProvider,
  accessToken: string,
): Promise<Result<void>> {
  if (accessToken.length > MAX_TOKEN_LENGTH) return fail("oauth_credential_invalid", { reason: "oversized token" });
  const basic = btoa(`${provider.clientId}:${provider.clientSecret ?? ""}`);
  const answer = await call(
    context,
    "token_check",
    `${API}/applications/${encodeURIComponent(provider.clientId)}/token`,
    {
      method: "POST",
      headers: { ...headers(`Basic ${basic}`), "Content-Type": "application/json" },
      body: JSON.stringify({ access_token: accessToken }),
    },
  );
  if (!answer.ok) return refusal(answer, "token_check");
  const app = (answer.body as { app?: { client_id?: unknown } } | null)?.app;
  if (app?.client_id !== provider.clientId)
    return fail("oauth_credential_invalid", { reason: "github token of another app" });
  return succeed(undefined);
}

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/** The GitHub user behind `accessToken`, with the primary address only if GitHub verified it. */
export async function gitHubIdentity(context: ServiceContext, accessToken: string): Promise<Result<ExternalIdentity>> {
  const bearer = headers(`Bearer ${accessToken}`);
  const [user, emails] = await Promise.all([
    call(context, "user", `${API}/user`, { method: "GET", headers: bearer }),
    call(context, "user_emails", `${API}/user/emails`, { method: "GET", headers: bearer }),
  ]);
  if (!user.ok) return refusal(user, "user");
  if (!emails.ok) return refusal(emails, "user_emails");
  const id = (user.body as { id?: unknown } | null)?.id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0)
    return fail("oauth_provider_unavailable", { reason: "github user without a numeric id" });
  const list: GitHubEmail[] = Array.isArray(emails.body) ? (emails.body as GitHubEmail[]) : [];
  const primary = list.find(
    (entry) => entry.primary === true && entry.verified === true && typeof entry.email === "string",
  );
  const email = primary ? normalizeEmail(primary.email as string) : null;
  return succeed({ provider: "github", subject: String(id), email, emailVerified: email !== null });
}
