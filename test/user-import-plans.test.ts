// The user import's statements, as src/storage/user-import-store.ts sends them, planned by the real
// migrated D1: each reaches users and identities through an index (SEARCH), never a SCAN of the
// table, however many users there are (json_each, the bound batch itself, is the only thing walked).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { findImportConflicts, writeImportBatch } from "../src/storage/user-import-store";

/** Every SQL text the store prepares on `db`, run for real with an empty batch. */
async function storeStatements(): Promise<string[]> {
  const seen: string[] = [];
  const db = {
    prepare(sql: string) {
      seen.push(sql);
      return env.DB.prepare(sql);
    },
    batch: (batch: D1PreparedStatement[]) => env.DB.batch(batch),
  } as unknown as D1Database;
  await findImportConflicts(db, { ids: [], legacyIds: [], emails: [], usernames: [], identities: [] });
  await writeImportBatch(db, [], 1, ":nonce");
  return seen;
}

async function planOf(sql: string): Promise<string[]> {
  const parameters = new Set(sql.match(/\?\d/g) ?? []).size;
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...Array.from({ length: parameters }, () => "[]"))
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

describe("the import's query plans", () => {
  it("no statement scans users, identities or totp_factors", async () => {
    const statements = await storeStatements();
    expect(statements.length).toBe(7);
    for (const sql of statements) {
      const plan = await planOf(sql);
      const scans = plan.filter((detail) => /^SCAN (users|identities|totp_factors|u|i)\b/.test(detail));
      expect(scans, `${sql}\n${plan.join("\n")}`).toEqual([]);
    }
  });
});
