// Helpers for the user import suites (POST /v1/admin/users/import): a call with an admin key (with the
// default bindings or others), a unique row, and the D1 state a suite asserts on.
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/bindings";
import { issueAdminKey } from "./admin";
import { callWith, readJson } from "./http";

export const IMPORT = "/v1/admin/users/import";

export interface ImportAnswer {
  results: {
    index: number;
    status: "created" | "unchanged" | "rejected";
    user_id?: string;
    error?: { code: string; field?: string; reason: string };
  }[];
  created: number;
  unchanged: number;
  rejected: number;
  dry_run: boolean;
}

let adminKey: Promise<string> | undefined;
/** One admin key for the file (minted on first use). */
export function sharedAdminKey(): Promise<string> {
  adminKey ??= issueAdminKey().then((key) => key.apiKey);
  return adminKey;
}

export async function importRaw(body: unknown, bindings: Bindings = env): Promise<Response> {
  return callWith(bindings, "POST", IMPORT, { json: body, token: await sharedAdminKey() });
}

/** Imports `users` and answers the 200 body (throws on any other status). */
export async function importUsers(
  users: unknown[],
  options: { dryRun?: boolean; bindings?: Bindings } = {},
): Promise<ImportAnswer> {
  const response = await importRaw({ users, ...(options.dryRun ? { dry_run: true } : {}) }, options.bindings);
  if (response.status !== 200) throw new Error(`import answered ${response.status}: ${await response.text()}`);
  return readJson<ImportAnswer>(response);
}

let counter = 0;
/** A row with a fresh email, username and legacy id, plus `fields`. */
export function uniqueRow(fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const tag = `${crypto.randomUUID().slice(0, 8)}${counter}`;
  return { email: `imp-${tag}@example.com`, username: `imp_${tag}`, legacy_id: `old-${tag}`, ...fields };
}

export async function userByEmail(email: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare("select * from users where email = ?").bind(email.toLowerCase()).first();
}

/** Rows in the tables an import writes, to prove a call wrote nothing. */
export async function importTableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["users", "identities", "totp_factors"]) {
    const row = await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>();
    counts[table] = row?.n ?? 0;
  }
  return counts;
}
