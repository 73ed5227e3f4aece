// Helpers for the wolfpal suites: accounts made the way its SPA makes them (JSON to /auth/register,
// then /auth/login), the bindings with DIALECT_WOLFPAL_UNCONFIRMED_LOGIN off, and D1 rows read back.
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/bindings";
import { PASSWORD, uniqueEmail } from "./accounts";
import { type CallOptions, call, callAndSettle, callWith, readJson } from "./http";

/** The test bindings with unconfirmed logins refused; one object, so its service context is cached. */
export const confirmedOnlyEnv: Bindings = { ...env, DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: "false" };

export function callConfirmedOnly(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callWith(confirmedOnlyEnv, method, path, options);
}

export interface WolfpalPair {
  access_token: string;
  refresh_token: string;
}

export interface WolfpalAccount extends WolfpalPair {
  email: string;
  username: string;
  password: string;
  userId: string;
}

export const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The 201 every registration answers, pending its confirmation. */
export const PENDING = {
  code: "PENDING_CONFIRMATION",
  error: "Please confirm your email address to complete the registration.",
};

export const INVALID_CREDENTIALS = { code: "INVALID_CREDENTIALS", error: "Either email or password is invalid." };

export const uniqueUsername = (prefix = "wolf") => `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

/** POST /auth/register as the SPA sends it (JSON), waiting for the mail it sends. */
export function register(fields: Record<string, unknown>, bindings: Bindings = env): Promise<Response> {
  return callWith(bindings, "POST", "/auth/register", { json: fields });
}

export function wolfpalLogIn(email: string, password = PASSWORD): Promise<Response> {
  return call("POST", "/auth/login", { json: { email, password } });
}

/** A registered (unconfirmed) wolfpal account, logged in through /auth/login. */
export async function wolfpalAccount(fields: Partial<Record<"email" | "username" | "password", string>> = {}) {
  const email = fields.email ?? uniqueEmail("wolfpal");
  const username = fields.username ?? uniqueUsername();
  const password = fields.password ?? PASSWORD;
  const registered = await callAndSettle("POST", "/auth/register", { json: { username, email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${await registered.text()}`);
  const login = await wolfpalLogIn(email, password);
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const pair = await readJson<WolfpalPair>(login);
  const user = await userRowOf(email);
  if (!user) throw new Error(`no user row for ${email}`);
  return { email, username, password, userId: user.id, ...pair } satisfies WolfpalAccount;
}

export interface UserRowState {
  id: string;
  email: string;
  username: string | null;
  email_verified: number;
  password_hash: string | null;
}

export function userRowOf(email: string): Promise<UserRowState | null> {
  return env.DB.prepare("select id, email, username, email_verified, password_hash from users where email = ?")
    .bind(email)
    .first<UserRowState>();
}

export async function sessionRow(sessionId: string) {
  return env.DB.prepare("select rotates_refresh_token, revoked_at, revoke_reason from sessions where id = ?")
    .bind(sessionId)
    .first<{ rotates_refresh_token: number; revoked_at: number | null; revoke_reason: string | null }>();
}

/** The second-factor token a wolfpal login answers an account with TOTP on. */
export async function twoFactorTokenOf(email: string, password = PASSWORD): Promise<string> {
  const response = await wolfpalLogIn(email, password);
  const body = await readJson<{ code?: string; token?: string }>(response);
  if (response.status !== 200 || body.code !== "TWO_FACTOR_REQUIRED" || !body.token) {
    throw new Error(`no two-factor step: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

export function twoFactor(fields: Record<string, string>): Promise<Response> {
  return call("POST", "/auth/two-factor", { form: fields });
}
