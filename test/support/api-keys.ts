// API keys through the public API: create one for a signed-up account, use it, and read its row.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { signUp, type TestAccount } from "./accounts";
import { call, readJson } from "./http";

export interface IssuedKey {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  predecessor_id: string | null;
  successor_id: string | null;
  grace_ends_at: string | null;
  api_key: string;
}

/** POST /v1/keys as `account`, expecting 201. */
export async function createKey(account: TestAccount, body: Record<string, unknown> = {}): Promise<IssuedKey> {
  const response = await call("POST", "/v1/keys", {
    token: account.tokens.access_token,
    json: { name: "backend", scopes: ["verify"], ...body },
  });
  expect(response.status).toBe(201);
  return readJson<IssuedKey>(response);
}

/** A fresh account and a key of it with `scopes`. */
export async function accountWithKey(scopes = ["verify"]): Promise<{ account: TestAccount; key: IssuedKey }> {
  const account = await signUp();
  return { account, key: await createKey(account, { scopes }) };
}

/** POST /v1/token/verify of `token`, authenticated by `apiKey` as Bearer (or in X-API-Key). */
/** An access token exchanged for `apiKey` at POST /v1/oauth/token (client_credentials). */
export async function exchangeKey(apiKey: string): Promise<string> {
  const response = await call("POST", "/v1/oauth/token", {
    form: { grant_type: "client_credentials", client_secret: apiKey },
  });
  expect(response.status).toBe(200);
  return (await readJson<{ access_token: string }>(response)).access_token;
}

export function verifyWithKey(apiKey: string, token: string, via: "bearer" | "header" = "bearer"): Promise<Response> {
  const auth = via === "bearer" ? { token: apiKey } : { headers: { "X-API-Key": apiKey } };
  return call("POST", "/v1/token/verify", { json: { token }, ...auth });
}

export async function keyRow(id: string) {
  return env.DB.prepare("select * from api_keys where id = ?").bind(id).first<Record<string, unknown>>();
}

/** A key of the right shape and checksum that was never issued. */
export function unknownKey(): Promise<string> {
  return import("../../src/crypto/api-key-format").then(({ generateApiKey }) => generateApiKey());
}
