// The hot paths' SQL, as the Worker really sends it, planned by the real migrated D1: every statement of
// login, /v1/me, refresh rotation and code verification finds its rows through an index (SEARCH), never
// by reading a table or an index whole (SCAN). docs/storage.md quotes these plans.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { callWith, readJson } from "./support/http";
import { latestCode, requiredEnv } from "./support/mail";

type Flow = "sign-up" | "code verification" | "login" | "/v1/me" | "refresh";

/** The real D1, noting every statement prepared on it under the flow running at the time. */
function recordingDatabase(): { db: D1Database; statements: Map<string, Set<Flow>>; during: (flow: Flow) => void } {
  const statements = new Map<string, Set<Flow>>();
  let current: Flow = "sign-up";
  const db = {
    prepare(sql: string) {
      const flows = statements.get(sql) ?? new Set<Flow>();
      flows.add(current);
      statements.set(sql, flows);
      return env.DB.prepare(sql);
    },
    batch: (batch: D1PreparedStatement[]) => env.DB.batch(batch),
    exec: (sql: string) => env.DB.exec(sql),
  } as unknown as D1Database;
  return { db, statements, during: (flow) => (current = flow) };
}

/** SQLite's plan for `sql`, each parameter bound to null (the plan does not depend on the values here). */
async function planOf(sql: string): Promise<string[]> {
  const parameters = sql.match(/\?/g)?.length ?? 0;
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...Array.from({ length: parameters }, () => null))
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

/** A full pass over a table or index; SCAN CONSTANT ROW (a VALUES list) reads no table. */
const isScan = (detail: string) => /^SCAN /.test(detail) && !/^SCAN CONSTANT ROW/.test(detail);

describe("the hot statements' query plans", () => {
  it("search an index for every table they read or write, in every hot flow", async () => {
    const { db, statements, during } = recordingDatabase();
    const bindings: Bindings = { ...requiredEnv, DB: db };
    const email = uniqueEmail("plans");

    const signedUp = await callWith(bindings, "POST", "/v1/signup", { json: { email, password: PASSWORD } });
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(signedUp);
    const { code } = await latestCode(email, "verify_email");
    during("code verification");
    const wrong = code === "000000" ? "111111" : "000000";
    const refused = await callWith(bindings, "POST", "/v1/email/verify", { json: { otp_request_id, code: wrong } });
    expect(refused.status).toBe(400);
    expect((await callWith(bindings, "POST", "/v1/email/verify", { json: { otp_request_id, code } })).status).toBe(200);

    during("login");
    const loggedIn = await callWith(bindings, "POST", "/v1/login", { json: { email, password: PASSWORD } });
    expect(loggedIn.status).toBe(200);
    const tokens = await readJson<{ access_token: string; refresh_token: string }>(loggedIn);
    during("/v1/me");
    expect((await callWith(bindings, "GET", "/v1/me", { token: tokens.access_token })).status).toBe(200);
    during("refresh");
    const refreshed = await callWith(bindings, "POST", "/v1/token/refresh", {
      json: { refresh_token: tokens.refresh_token },
    });
    expect(refreshed.status).toBe(200);

    const hot = [...statements].filter(([, flows]) => [...flows].some((flow) => flow !== "sign-up"));
    expect(hot.length).toBeGreaterThan(5);
    const scans: string[] = [];
    for (const [sql, flows] of hot) {
      const plan = await planOf(sql);
      if (plan.some(isScan)) scans.push(`${[...flows].join(", ")}: ${sql}\n  ${plan.join("\n  ")}`);
    }
    expect(scans).toEqual([]);
  });
});
