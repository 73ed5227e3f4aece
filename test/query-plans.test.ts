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

describe("the security event log's statements' query plans", () => {
  it("search an index to append, page a subject's and an organization's events, and apply retention", async () => {
    const { createDatabase } = await import("../src/storage/database");
    const { insertSecurityEvent, listSecurityEventRows } = await import("../src/storage/security-event-store");
    const { deleteExpiredRows, RETENTION_SPECS } = await import("../src/storage/retention-store");
    const { db: recording, statements } = recordingDatabase();
    const db = createDatabase(recording);
    const now = Math.floor(Date.now() / 1000);
    const id = crypto.randomUUID();
    await insertSecurityEvent(db, { id, createdAt: now, type: "sign_in_failed", subjectUserId: id, detail: "{}" });
    const after = { createdAt: now + 1, id };
    await listSecurityEventRows(db, { subjectUserId: id, after, limit: 51 });
    await listSecurityEventRows(db, { orgId: id, after, limit: 51 });
    const spec = RETENTION_SPECS.find((entry) => entry.name === "security_events");
    if (!spec) throw new Error("no retention rule for security_events");
    const policy = { now, securityEventSeconds: 90 * 86_400 } as Parameters<typeof deleteExpiredRows>[2];
    await deleteExpiredRows(db, spec, policy, 1000);

    expect(statements.size).toBe(4);
    const problems: string[] = [];
    for (const sql of statements.keys()) {
      const plan = await planOf(sql);
      // A page must come off the index in order: a temporary B-tree would sort the subject's whole history.
      if (plan.some((detail) => isScan(detail) || /TEMP B-TREE/.test(detail)))
        problems.push(`${sql}\n  ${plan.join("\n  ")}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("the organization statements' query plans", () => {
  it("search an index for the membership read of every scoped token issue, the accept and the removal", async () => {
    const statements = [
      // findActiveMembership (every refresh of a scoped session, every org route)
      "select * from memberships inner join organizations on organizations.id = memberships.organization_id where memberships.organization_id = ? and memberships.user_id = ? and organizations.deleted_at is null and memberships.status = 'active'",
      // listActiveMemberships (GET /v1/orgs)
      "select * from memberships inner join organizations on organizations.id = memberships.organization_id where memberships.user_id = ? and organizations.deleted_at is null and memberships.status = 'active'",
      // acceptInvitation's consuming UPDATE
      "update invitations set accepted_at = ? where token_hash = ? and email = ? and accepted_at is null and revoked_at is null and expires_at > ? and not exists (select 1 from memberships where memberships.organization_id = invitations.organization_id and memberships.user_id = ?)",
      // removeMember's session clearing
      "update sessions set active_organization_id = null where user_id = ? and active_organization_id = ?",
      // softDeleteOrganization's session clearing
      "update sessions set active_organization_id = null where active_organization_id = ?",
      // the last-owner guard's count
      "select count(*) from memberships as other where other.organization_id = ? and other.role = 'owner' and other.status = 'active' and other.user_id != ?",
    ];
    const scans: string[] = [];
    for (const sql of statements) {
      const plan = await planOf(sql);
      if (plan.some(isScan)) scans.push(`${sql}\n  ${plan.join("\n  ")}`);
    }
    expect(scans).toEqual([]);
  });
});

describe("the admin API's listing", () => {
  it("pages users by creation time off an index, without a sort of the whole table", async () => {
    // listUsers' keyset page (created range, then the cursor), newest first.
    const sql =
      "select * from users where users.created_at > ? and users.created_at < ? and (users.created_at < ? or (users.created_at = ? and users.id < ?)) order by users.created_at desc, users.id desc limit ?";
    const plan = await planOf(sql);
    expect(plan.filter((detail) => isScan(detail) || /TEMP B-TREE/.test(detail))).toEqual([]);
  });
});

describe("the user export's statements' query plans", () => {
  it("page users off users_created_at_idx in order, and read the page's identities and factors by index", async () => {
    const { createDatabase } = await import("../src/storage/database");
    const { readExportPage } = await import("../src/storage/user-export-store");
    const { db: recording, statements } = recordingDatabase();
    const db = createDatabase(recording);
    await readExportPage(db, undefined, 1001);
    await readExportPage(db, { createdAt: Math.floor(Date.now() / 1000), id: crypto.randomUUID() }, 1001);

    // The first page and a later one are the same four statements (the first starts before every user).
    expect(statements.size).toBe(4);
    const problems: string[] = [];
    for (const sql of statements.keys()) {
      const plan = await planOf(sql);
      if (!plan.some((detail) => /users_created_at_idx/.test(detail))) problems.push(`no page index: ${sql}`);
      // The page comes off the index in order: a temporary B-tree for ORDER BY would sort every user.
      if (plan.some((detail) => isScan(detail) || /TEMP B-TREE FOR ORDER BY/.test(detail)))
        problems.push(`${sql}\n  ${plan.join("\n  ")}`);
    }
    expect(problems).toEqual([]);
  });
});
