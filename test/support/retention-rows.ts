// Rows for the retention tests, written straight into D1 with unique ids (tests share the database),
// the reads that say which of them are left, and one run of the Cron Trigger that deletes them.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/bindings";
import worker from "../../src/index";

export const DAY = 86_400;
export const IDLE = Number(env.SESSION_IDLE_TIMEOUT_SECONDS ?? 1_209_600);
export const now = () => Math.floor(Date.now() / 1000);
export const uid = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

/** One run of the Worker's scheduled handler, as the Cron Trigger would start it. */
export async function runScheduled(bindings: Bindings = env): Promise<void> {
  const controller = createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, bindings, ctx);
  await waitOnExecutionContext(ctx);
}

export async function insertUser(): Promise<string> {
  const id = uid("user");
  await env.DB.prepare("INSERT INTO users (id, email, created_at, updated_at) VALUES (?, ?, ?, ?)")
    .bind(id, `${id}@retention.test`, now(), now())
    .run();
  return id;
}

export interface SessionTimes {
  lastUsedAt?: number;
  expiresAt?: number;
  revokedAt?: number | null;
}

/** A session (live unless `times` say otherwise) with `tokens` refresh tokens; returns its id and theirs. */
export async function insertSession(userId: string, times: SessionTimes = {}, tokens = 2) {
  const id = uid("session");
  const t = now();
  await env.DB.prepare(
    "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(
      id,
      userId,
      t - 40 * DAY,
      times.lastUsedAt ?? t - 60,
      times.expiresAt ?? t + 20 * DAY,
      times.revokedAt ?? null,
    )
    .run();
  const tokenHashes = Array.from({ length: tokens }, () => uid("rt"));
  for (const [generation, hash] of tokenHashes.entries()) {
    await env.DB.prepare(
      "INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at) VALUES (?, ?, ?, ?)",
    )
      .bind(hash, id, generation, t - 40 * DAY)
      .run();
  }
  return { id, tokenHashes };
}

export async function insertCode(
  userId: string,
  times: { expiresAt: number; consumedAt?: number; supersededAt?: number },
) {
  const id = uid("otp");
  await env.DB.prepare(
    "INSERT INTO one_time_codes (id, user_id, purpose, target, code_hash, link_hash, created_at, expires_at, consumed_at, superseded_at) VALUES (?, ?, 'verify_email', 'a@retention.test', 'h', ?, ?, ?, ?, ?)",
  )
    .bind(
      id,
      userId,
      uid("link"),
      times.expiresAt - 600,
      times.expiresAt,
      times.consumedAt ?? null,
      times.supersededAt ?? null,
    )
    .run();
  return id;
}

export async function insertChallenge(userId: string, expiresAt: number) {
  const id = uid("mfa");
  await env.DB.prepare(
    "INSERT INTO mfa_challenges (id, token_hash, user_id, methods, amr, created_at, expires_at) VALUES (?, ?, ?, '[\"totp\"]', '[\"pwd\"]', ?, ?)",
  )
    .bind(id, uid("mfa-token"), userId, expiresAt - 300, expiresAt)
    .run();
  return id;
}

export async function insertLoginFailure(updatedAt: number, lockedUntil: number | null, key = uid("lf")) {
  await env.DB.prepare(
    "INSERT INTO login_failures (identifier_hash, failures, locked_until, updated_at) VALUES (?, 12, ?, ?)",
  )
    .bind(key, lockedUntil, updatedAt)
    .run();
  return key;
}

/** `count` expired, unlocked login_failures rows whose keys start with `prefix`, in one statement. */
export async function insertLoginFailureBacklog(prefix: string, count: number): Promise<void> {
  await env.DB.prepare(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO login_failures (identifier_hash, failures, locked_until, updated_at) SELECT ? || i, 1, NULL, ? FROM n",
  )
    .bind(count, prefix, now() - 2 * DAY)
    .run();
}

const KEYS = {
  sessions: "id",
  refresh_tokens: "token_hash",
  one_time_codes: "id",
  mfa_challenges: "id",
  login_failures: "identifier_hash",
  oauth_flows: "id",
  oauth_sign_in_codes: "code_hash",
} as const;

/** Which of `ids` are still in `table`. */
export async function remaining(table: keyof typeof KEYS, ids: string[]): Promise<string[]> {
  const placeholders = ids.map(() => "?").join(", ");
  const { results } = await env.DB.prepare(
    `SELECT ${KEYS[table]} AS id FROM ${table} WHERE ${KEYS[table]} IN (${placeholders})`,
  )
    .bind(...ids)
    .all<{ id: string }>();
  return results.map((row) => row.id).sort();
}

export async function countWithPrefix(prefix: string): Promise<number> {
  // Not LIKE: D1 refuses patterns over 50 bytes, and a prefix with a UUID is close to that.
  const row = await env.DB.prepare("SELECT count(*) AS n FROM login_failures WHERE substr(identifier_hash, 1, ?) = ?")
    .bind(prefix.length, prefix)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A social-login redirect flow expiring at `expiresAt` (only the columns retention reads matter). */
export async function insertOAuthFlow(expiresAt: number): Promise<string> {
  const id = uid("flow");
  await env.DB.prepare(
    "INSERT INTO oauth_flows (id, state_hash, provider, code_verifier, nonce, redirect_to, client_code_challenge, browser_hash, created_at, expires_at) VALUES (?, ?, 'google', 'v', 'n', 'https://app.test/cb', 'c', 'b', ?, ?)",
  )
    .bind(id, uid("state"), expiresAt - 600, expiresAt)
    .run();
  return id;
}

/** A social sign-in code of `userId` expiring at `expiresAt`. */
export async function insertOAuthSignInCode(userId: string, expiresAt: number): Promise<string> {
  const hash = uid("code");
  await env.DB.prepare(
    "INSERT INTO oauth_sign_in_codes (code_hash, user_id, provider, code_challenge, redirect_to, created_at, expires_at) VALUES (?, ?, 'google', 'c', 'https://app.test/cb', ?, ?)",
  )
    .bind(hash, userId, expiresAt - 300, expiresAt)
    .run();
  return hash;
}
