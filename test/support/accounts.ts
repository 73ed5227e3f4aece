// Creates accounts through the public API and reads what they left in D1.
import { env } from "cloudflare:workers";
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

export async function logIn(email: string, password = PASSWORD): Promise<TokenPair> {
  const response = await call("POST", "/v1/login", { json: { email, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return readJson<TokenPair>(response);
}

export async function countRows(table: "users" | "sessions" | "refresh_tokens"): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>();
  return row?.n ?? 0;
}

export async function sessionOf(accessToken: string): Promise<string> {
  const payload = JSON.parse(atob(accessToken.split(".")[1]?.replaceAll("-", "+").replaceAll("_", "/") ?? "")) as {
    sid: string;
  };
  return payload.sid;
}
