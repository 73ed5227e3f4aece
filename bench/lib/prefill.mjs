// A local D1 that looks like a large deployment: users, live sessions each with a refresh token, and
// one-time-code rows, generated inside SQLite by recursive CTEs (seconds, not minutes), then the app's
// own migrations' indexes doing the work they do in production. Used by the "prefilled" scenarios.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runToCompletion } from "./children.mjs";
import { makeTempDir, PROJECT_ROOT } from "./wrangler.mjs";

export const PREFILL_DEFAULTS = { users: 1_000_000, sessions: 2_000_000, codes: 1_000_000 };

/** Ids and addresses the app never generates (its ids are random UUIDs), so no collision with live traffic. */
const userId = (column) => `printf('00000000-0000-4000-8000-%012d', ${column})`;
const sessionId = (column) => `printf('00000000-0000-4000-9000-%012d', ${column})`;
/** The n-th prefilled user's and session's ids (n from 1), as the SQL below writes them. */
export const prefilledUserId = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
export const prefilledSessionId = (n) => `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`;
/** 43 characters, the length of a base64url SHA-256 the app stores. */
const randomHash = "substr(lower(hex(randomblob(22))), 1, 43)";

/** The SQL: one INSERT … SELECT over a counter per table; times relative to `now` so sessions are live. */
export function prefillSql({ users, sessions, codes }, now = Math.floor(Date.now() / 1000)) {
  const counter = (count) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})`;
  // A fixed, valid-looking PHC string: these accounts are never logged into (the bench signs up its own).
  const hash = "$scrypt$ln=15,r=8,p=3$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  return [
    `${counter(users)} INSERT INTO users (id, email, email_verified, password_hash, created_at, updated_at)
      SELECT ${userId("i")}, printf('prefill-%d@bench.example.com', i), 1, '${hash}', ${now - 86_400}, ${now - 86_400} FROM n;`,
    `${counter(sessions)} INSERT INTO sessions (id, user_id, rotates_refresh_token, amr, user_agent, ip, created_at, last_used_at, expires_at)
      SELECT ${sessionId("i")}, ${userId(`((i - 1) % ${users}) + 1`)}, 1, '["pwd"]', 'bench/1.0', '198.18.0.1',
        ${now - 3_600}, ${now - 60}, ${now + 29 * 86_400} FROM n;`,
    `${counter(sessions)} INSERT INTO refresh_tokens (token_hash, session_id, generation, created_at)
      SELECT ${randomHash}, ${sessionId("i")}, 0, ${now - 3_600} FROM n;`,
    // Spent and expired reset codes, as a deployment's day of codes leaves them until retention runs.
    `${counter(codes)} INSERT INTO one_time_codes (id, user_id, purpose, target, code_hash, link_hash, attempts, created_at, expires_at, consumed_at)
      SELECT printf('00000000-0000-4000-a000-%012d', i), ${userId(`((i - 1) % ${users}) + 1`)}, 'reset_password',
        printf('prefill-%d@bench.example.com', ((i - 1) % ${users}) + 1), ${randomHash}, ${randomHash}, 1,
        ${now - 7_200}, ${now - 6_600}, CASE WHEN i % 2 = 0 THEN ${now - 7_000} END FROM n;`,
  ].join("\n");
}

/** Fills the local D1 under `persistTo` (migrations already applied); answers the seconds it took and the file size. */
export async function prefillLocalDatabase({ persistTo, counts = PREFILL_DEFAULTS, config = "wrangler.toml" }) {
  const file = join(makeTempDir("prefill-sql"), "prefill.sql");
  writeFileSync(file, prefillSql(counts));
  const started = performance.now();
  const wrangler = join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js");
  const node = join(PROJECT_ROOT, "node_modules/.bin/node");
  const args = [wrangler, "d1", "execute", "DB", "--local", "-c", config, "--persist-to", persistTo, "--file", file];
  const result = await runToCompletion(node, args, {
    cwd: PROJECT_ROOT,
    env: { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
    timeoutMs: 600_000,
  });
  if (result.code !== 0)
    throw new Error(`prefill failed (${result.code ?? result.signal}):\n${result.output.slice(-3000)}`);
  return {
    counts,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    sqlite_bytes: databaseBytes(persistTo),
  };
}

/** The size of the local D1's SQLite file(s) under `persistTo`, or null where wrangler keeps them elsewhere. */
function databaseBytes(persistTo) {
  const dir = join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".sqlite"))
      .reduce((total, name) => total + statSync(join(dir, name)).size, 0);
  } catch {
    return null;
  }
}
