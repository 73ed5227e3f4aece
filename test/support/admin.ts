// Helpers for the admin suites: an `admin` key minted the only way one is (RPC issueAdminApiKey),
// calls to /v1/admin/… with it, every admin route by method and path, and the rows an action leaves.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { signUp, type TestAccount } from "./accounts";
import { type CallOptions, call, callAndSettle } from "./http";

export interface AdminKey {
  id: string;
  apiKey: string;
  owner: TestAccount;
}

/** A fresh operator account (or `owner`) and an admin key of it, through RPC. */
export async function issueAdminKey(owner?: TestAccount): Promise<AdminKey> {
  const account = owner ?? (await signUp());
  const result = await exports.AuthService.issueAdminApiKey({ user_id: account.userId, name: "ops console" });
  if (!result.ok) throw new Error(`issueAdminApiKey failed: ${result.code}`);
  expect(result.key.scopes).toEqual(["admin"]);
  return { id: result.key.id, apiKey: result.api_key, owner: account };
}

/** `method path` with `apiKey` as Bearer, waiting for what it deferred (the security event). */
export function adminCall(apiKey: string, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callAndSettle(method, path, { ...options, token: apiKey });
}

/** The same with the key in X-API-Key instead. */
export function adminCallByHeader(apiKey: string, method: string, path: string): Promise<Response> {
  return call(method, path, { headers: { "X-API-Key": apiKey } });
}

/** Every admin route; `:id` is replaced by a user id. */
export const ADMIN_ROUTES: [method: string, path: string][] = [
  ["GET", "/v1/admin/users"],
  ["GET", "/v1/admin/users/:id"],
  ["DELETE", "/v1/admin/users/:id"],
  ["GET", "/v1/admin/users/:id/events"],
  ["POST", "/v1/admin/users/:id/disable"],
  ["POST", "/v1/admin/users/:id/enable"],
  ["POST", "/v1/admin/users/:id/sessions/revoke"],
  ["POST", "/v1/admin/users/:id/verify-email"],
  ["POST", "/v1/admin/users/:id/mfa/reset"],
  ["POST", "/v1/admin/users/:id/orgs/00000000-0000-4000-8000-000000000000/role"],
  ["GET", "/v1/admin/users/export"],
  ["POST", "/v1/admin/users/import"],
];

export const pathFor = (template: string, userId: string) => template.replace(":id", userId);

export interface UserRowView {
  id: string;
  email_verified: number;
  disabled_at: number | null;
  sms_mfa_enabled: number;
}

export function userRow(id: string): Promise<UserRowView | null> {
  return env.DB.prepare("select id, email_verified, disabled_at, sms_mfa_enabled from users where id = ?")
    .bind(id)
    .first<UserRowView>();
}

export async function rowCount(table: string, column: string, value: string): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where ${column} = ?`)
    .bind(value)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export interface AdminEventRow {
  type: string;
  subject_user_id: string | null;
  actor_user_id: string | null;
  actor_key_id: string | null;
  detail: string;
}

/** The admin_action events about `userId`, oldest first. */
export async function adminEventsAbout(userId: string): Promise<AdminEventRow[]> {
  const { results } = await env.DB.prepare(
    "select type, subject_user_id, actor_user_id, actor_key_id, detail from security_events where subject_user_id = ? and type = 'admin_action' order by created_at, rowid",
  )
    .bind(userId)
    .all<AdminEventRow>();
  return results;
}

/** Polls `read` until `done` holds (events written after an RPC answer land a moment later). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (done(value) || attempt >= 50) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
