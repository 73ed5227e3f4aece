// Creates accounts through the public API and reads what they left in D1: rows, sessions, and the
// claims of the access tokens the Worker issued.
import { env } from "cloudflare:workers";
import type { AccessTokenClaims } from "../../src/crypto/access-token";
import { call, readJson } from "./http";

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface TestAccount {
  email: string;
  password: string;
  userId: string;
  tokens: TokenPair;
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}@example.com`;
}

export const PASSWORD = "a long and unusual passphrase";

export async function signUp(fields: Record<string, unknown> = {}): Promise<TestAccount> {
  const email = (fields.email as string | undefined) ?? uniqueEmail();
  const password = (fields.password as string | undefined) ?? PASSWORD;
  const response = await call("POST", "/v1/signup", { json: { email, password, ...fields } });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = await readJson<TokenPair & { user: { id: string } }>(response);
  return { email, password, userId: body.user.id, tokens: body };
}

/** A signed-up account whose email is verified (set in D1: sign-up verification is not under test here). */
export async function verifiedAccount(email = uniqueEmail()): Promise<TestAccount> {
  const account = await signUp({ email });
  await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(account.userId).run();
  return account;
}

export async function logIn(email: string, password = PASSWORD): Promise<TokenPair> {
  const response = await call("POST", "/v1/login", { json: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return readJson<TokenPair>(response);
}

/** Another session of the same account, from another device: its User-Agent and client IP. */
export async function logInFrom(email: string, userAgent: string, ip: string): Promise<TokenPair> {
  const response = await call("POST", "/v1/login", {
    json: { email, password: PASSWORD },
    headers: { "User-Agent": userAgent },
    ip,
  });
  if (response.status !== 200) throw new Error(`login from ${userAgent} failed: ${response.status}`);
  return readJson<TokenPair>(response);
}

/** GET /v1/me as the holder of `accessToken`. */
export function me(accessToken: string): Promise<Response> {
  return call("GET", "/v1/me", { token: accessToken });
}

/** POST /v1/token/refresh with `refreshToken`. */
export function refresh(refreshToken: string): Promise<Response> {
  return call("POST", "/v1/token/refresh", { json: { refresh_token: refreshToken } });
}

/** What POST /v1/token/verify answers about `token`. */
export async function introspect(token: string): Promise<Record<string, unknown>> {
  return readJson(await call("POST", "/v1/token/verify", { json: { token } }));
}

export async function countRows(table: "users" | "sessions" | "refresh_tokens"): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>();
  return row?.n ?? 0;
}

/** The claims of an access token, read without verifying it (the tests read what the Worker put there). */
export function claimsOf(accessToken: string): AccessTokenClaims {
  const payload = (accessToken.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(payload)) as AccessTokenClaims;
}

/** The session (`sid`) an access token belongs to. */
export function sessionOf(accessToken: string): string {
  return claimsOf(accessToken).sid;
}

/** Sessions of `userId` that are still live (not revoked). */
export async function liveSessionCount(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from sessions where user_id = ? and revoked_at is null")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Every session row of `userId`, live or ended: how many sessions were ever opened and are still kept. */
export async function sessionRowCount(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from sessions where user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
