// Drives social login the way a browser and an SPA do: the authorize redirect (and its __Host-
// cookie), the provider's login page (the fake identity provider), the callback, and the code
// exchange with the SPA's PKCE verifier; and reads what the flows left in D1.
import { env, exports } from "cloudflare:workers";
import type { JWTPayload } from "jose";
import { uniqueEmail } from "./accounts";
import type { FakeIdp, OidcProvider } from "./fake-idp";
import { buildRequest, type CallOptions, call, readJson } from "./http";

export const SPA_REDIRECT = "https://app.test/auth/callback";

/** Like call(), but a redirect is answered, not followed (the Worker's own fetch follows by default). */
export function callManual(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return exports.default.fetch(new Request(buildRequest(method, path, options), { redirect: "manual" }));
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64url = (data: Uint8Array) =>
    btoa(String.fromCharCode(...data))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
  const verifier = b64url(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return { verifier, challenge: b64url(digest) };
}

/** A person at an OIDC provider, with a verified address unless told otherwise. */
export function oidcPerson(claims: JWTPayload = {}): JWTPayload & { email: string; sub: string } {
  return { sub: `sub-${crypto.randomUUID()}`, email: uniqueEmail("social"), email_verified: true, ...claims } as never;
}

export interface StartedFlow {
  response: Response;
  location: string;
  /** The Cookie header that carries the browser binding back. */
  cookie: string;
  verifier: string;
}

export async function startFlow(
  provider: string,
  options: { redirectTo?: string; ip?: string } = {},
): Promise<StartedFlow> {
  const { verifier, challenge } = await pkcePair();
  const query = new URLSearchParams({ redirect_to: options.redirectTo ?? SPA_REDIRECT, code_challenge: challenge });
  const response = await callManual(
    "GET",
    `/v1/oauth/${provider}/authorize?${query}`,
    options.ip ? { ip: options.ip } : {},
  );
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  return {
    response,
    location: response.headers.get("Location") ?? "",
    cookie: setCookie.split(";")[0] ?? "",
    verifier,
  };
}

export function callback(provider: string, parameters: URLSearchParams, cookie: string | null): Promise<Response> {
  const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
  return callManual("GET", `/v1/oauth/${provider}/callback?${parameters}`, { headers });
}

/** The `code` (or `error`) a callback's redirect hands the SPA. */
export function redirectParameter(response: Response, name: "code" | "error"): string | null {
  const location = response.headers.get("Location");
  return location ? new URL(location).searchParams.get(name) : null;
}

export function exchangeCode(code: string, verifier: string): Promise<Response> {
  return call("POST", "/v1/oauth/token", { form: { grant_type: "authorization_code", code, code_verifier: verifier } });
}

/** The whole redirect flow for `person` at an OIDC provider, up to the SPA's sign-in code. */
export async function signInCode(fake: FakeIdp, provider: OidcProvider, person: JWTPayload) {
  const flow = await startFlow(provider);
  const answer = await fake.approve(flow.location, person);
  const response = await callback(provider, answer, flow.cookie);
  return { flow, response, code: redirectParameter(response, "code"), verifier: flow.verifier };
}

export async function tokensThrough(fake: FakeIdp, provider: OidcProvider, person: JWTPayload) {
  const { code, verifier } = await signInCode(fake, provider, person);
  if (!code) throw new Error("the callback handed no code");
  return readJson<{ access_token: string; refresh_token: string }>(await exchangeCode(code, verifier));
}

export function credentialExchange(provider: string, json: Record<string, unknown>): Promise<Response> {
  return call("POST", `/v1/oauth/${provider}/token`, { json });
}

export interface IdentityRow {
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  email_verified: number;
}

export async function identitiesOf(userId: string): Promise<IdentityRow[]> {
  const { results } = await env.DB.prepare("select * from identities where user_id = ? order by created_at")
    .bind(userId)
    .all<IdentityRow>();
  return results;
}

export async function identityBySubject(provider: string, subject: string): Promise<IdentityRow | null> {
  return env.DB.prepare("select * from identities where provider = ? and subject = ?")
    .bind(provider, subject)
    .first<IdentityRow>();
}

export async function userByEmail(email: string) {
  return env.DB.prepare("select * from users where email = ?")
    .bind(email)
    .first<{ id: string; email_verified: number; password_hash: string | null; username: string | null }>();
}

export async function countWhere(sql: string, ...values: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...values)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
