// Rows for the retention tests of accounts and code-guess budgets, written straight into D1 with
// unique ids (tests share the database), and the reads that say which of them are left.
import { env } from "cloudflare:workers";
import { uid } from "./retention-rows";

export interface AccountRow {
  createdAt: number;
  updatedAt?: number;
  emailVerified?: boolean;
}

/** An account with the given times (updated when created unless said otherwise); returns its id. */
export async function insertAccount(row: AccountRow): Promise<string> {
  const id = uid("user");
  await env.DB.prepare("INSERT INTO users (id, email, email_verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
    .bind(id, `${id}@retention.test`, row.emailVerified ? 1 : 0, row.createdAt, row.updatedAt ?? row.createdAt)
    .run();
  return id;
}

/** A code-guess budget of `userId` for `purpose` whose window opened at `windowStartedAt`. */
export async function insertCodeFailure(userId: string, windowStartedAt: number, purpose = "verify_email") {
  await env.DB.prepare("INSERT INTO code_failures (user_id, purpose, failures, window_started_at) VALUES (?, ?, 3, ?)")
    .bind(userId, purpose, windowStartedAt)
    .run();
  return { userId, purpose };
}

/** Which of `ids` are still in users. */
export async function accountsLeft(ids: string[]): Promise<string[]> {
  const placeholders = ids.map(() => "?").join(", ");
  const { results } = await env.DB.prepare(`SELECT id FROM users WHERE id IN (${placeholders})`)
    .bind(...ids)
    .all<{ id: string }>();
  return results.map((row) => row.id).sort();
}

/** The ids of `userId`'s one-time codes, and the purposes of its code-guess budgets. */
export async function dependentsOf(userId: string): Promise<{ codes: string[]; budgets: string[] }> {
  const codes = await env.DB.prepare("SELECT id FROM one_time_codes WHERE user_id = ?")
    .bind(userId)
    .all<{ id: string }>();
  const budgets = await env.DB.prepare("SELECT purpose FROM code_failures WHERE user_id = ?")
    .bind(userId)
    .all<{ purpose: string }>();
  return {
    codes: codes.results.map((row) => row.id).sort(),
    budgets: budgets.results.map((row) => row.purpose).sort(),
  };
}
