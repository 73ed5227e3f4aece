// GET /v1/admin/users/export: every field of a user as one JSON line (profile, flags, identities,
// factor metadata, the stored hash), never a secret (TOTP secret, recovery code, session or token,
// nor what they are stored as), pages that lose and repeat no user while users sign up in between,
// bad cursors and limits refused with stable codes, the gate, and one admin_action event per call.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AdminExportLine } from "../src/routes/admin-export-schemas";
import { signUp } from "./support/accounts";
import { adminCall, issueAdminKey } from "./support/admin";
import { accountWithKey } from "./support/api-keys";
import { call, expectProblem } from "./support/http";
import { signUpWithTotp } from "./support/totp";
import { cursorBefore, type ExportLine, exportFrom, exportPage } from "./support/user-export";

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function linkIdentity(userId: string, provider: string, subject: string, email: string | null) {
  await env.DB.prepare(
    "insert into identities (id, user_id, provider, subject, email, email_verified, created_at) values (?, ?, ?, ?, ?, 1, ?)",
  )
    .bind(crypto.randomUUID(), userId, provider, subject, email, nowSeconds())
    .run();
}

/** Exactly one line of `lines` is `userId`'s. */
function lineOf(lines: ExportLine[], userId: string): ExportLine {
  const found = lines.filter((line) => line.id === userId);
  expect(found).toHaveLength(1);
  return found[0] as ExportLine;
}

describe("an exported user", () => {
  it("carries profile, flags, identities, factor metadata and the stored hash, and no secret", async () => {
    const admin = await issueAdminKey();
    const start = nowSeconds();
    const account = await signUpWithTotp({
      username: `u${crypto.randomUUID().slice(0, 8)}`,
      name: "Ada",
      first_name: "Ada",
      last_name: "L",
    });
    await env.DB.prepare(
      "update users set phone = '+15555550123', phone_verified = 1, sms_mfa_enabled = 1, legacy_id = ? where id = ?",
    )
      .bind(`legacy-${account.userId}`, account.userId)
      .run();
    await linkIdentity(account.userId, "github", `gh-${account.userId}`, null);
    await linkIdentity(account.userId, "google", `g-${account.userId}`, "ada@gmail.test");
    const passwordless = crypto.randomUUID();
    await env.DB.prepare(
      "insert into users (id, email, email_verified, created_at, updated_at, disabled_at) values (?, ?, 0, ?, ?, ?)",
    )
      .bind(passwordless, `pl-${passwordless}@example.com`, start, start, start)
      .run();

    const { lines, text } = await exportFrom(admin.apiKey, cursorBefore(start), 1000);
    const stored = await env.DB.prepare("select * from users where id = ?")
      .bind(account.userId)
      .first<Record<string, string | number>>();
    const line = lineOf(lines, account.userId);
    expect(line).toEqual({
      id: account.userId,
      email: account.email,
      email_verified: false,
      username: stored?.username,
      name: "Ada",
      first_name: "Ada",
      last_name: "L",
      phone: "+15555550123",
      phone_verified: true,
      password_hash: stored?.password_hash,
      legacy_id: `legacy-${account.userId}`,
      disabled: false,
      created_at: new Date(Number(stored?.created_at) * 1000).toISOString(),
      updated_at: new Date(Number(stored?.updated_at) * 1000).toISOString(),
      identities: [
        { provider: "github", subject: `gh-${account.userId}` },
        { provider: "google", subject: `g-${account.userId}`, email: "ada@gmail.test" },
      ],
      factors: { totp: true, sms: true, recovery_codes: 10 },
    });
    expect(String(line.password_hash)).toMatch(/^\$scrypt\$/);
    // A passwordless, disabled account: no hash field at all, and `disabled` says so.
    expect(lineOf(lines, passwordless)).toMatchObject({
      disabled: true,
      identities: [],
      factors: { totp: false, sms: false, recovery_codes: 0 },
    });
    expect(lineOf(lines, passwordless)).not.toHaveProperty("password_hash");
    for (const exported of lines) expect(AdminExportLine.safeParse(exported).success, exported.id).toBe(true);

    // No secret of the account, in any form it exists in, anywhere in the export.
    const totp = await env.DB.prepare("select secret_ciphertext from totp_factors where user_id = ?")
      .bind(account.userId)
      .first<{ secret_ciphertext: string }>();
    const { results: codeHashes } = await env.DB.prepare("select code_hash from recovery_codes where user_id = ?")
      .bind(account.userId)
      .all<{ code_hash: string }>();
    const { results: refreshHashes } = await env.DB.prepare(
      "select token_hash from refresh_tokens where session_id in (select id from sessions where user_id = ?)",
    )
      .bind(account.userId)
      .all<{ token_hash: string }>();
    const secrets = [
      account.secret,
      totp?.secret_ciphertext ?? "missing",
      ...account.recoveryCodes,
      ...codeHashes.map((row) => row.code_hash),
      ...refreshHashes.map((row) => row.token_hash),
      account.tokens.access_token,
      account.tokens.refresh_token,
      admin.apiKey,
    ];
    expect(secrets.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(text.includes(secret), "a secret in the export").toBe(false);
    expect(text).not.toMatch(/totp_secret|secret_ciphertext|code_hash|token_hash|recovery_code"/);
  });
});

describe("paging", () => {
  it("loses and repeats no user that existed when it began, while users sign up between pages", async () => {
    const admin = await issueAdminKey();
    const start = nowSeconds();
    // 11 users at 2 a page: at least 6 pages, so all 4 sign-ups happen between pages whether or not the
    // export also returns them (users created after it began may or may not appear).
    const before = await Promise.all(Array.from({ length: 11 }, () => signUp()));
    const added: string[] = [];
    const { lines, pages } = await exportFrom(admin.apiKey, cursorBefore(start), 2, async () => {
      if (added.length < 4) added.push((await signUp()).userId);
    });
    expect(pages).toBeGreaterThanOrEqual(6);
    const ids = lines.map((line) => line.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const account of before) lineOf(lines, account.userId);
    // Oldest first, by (created_at, id): the order the cursor walks.
    const keys = lines.map((line) => [Date.parse(String(line.created_at)), line.id] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    expect(keys).toEqual(sorted);
    expect(added).toHaveLength(4);
  });

  it("answers no cursor on the last page, and limit bounds a page", async () => {
    const admin = await issueAdminKey();
    const start = nowSeconds();
    await Promise.all([signUp(), signUp(), signUp()]);
    const first = await exportPage(admin.apiKey, { cursor: cursorBefore(start), limit: "1" });
    expect(first.lines).toHaveLength(1);
    expect(first.next).not.toBeNull();
    const farFuture = await exportPage(admin.apiKey, { cursor: cursorBefore(4_000_000_000) });
    expect(farFuture.lines).toEqual([]);
    expect(farFuture.next).toBeNull();
    // Without a cursor it starts at the oldest user: a full page of 1000 by default, or fewer.
    const oldest = await exportPage(admin.apiKey, { limit: "3" });
    expect(oldest.lines.length).toBeGreaterThan(0);
    expect(oldest.lines.length).toBeLessThanOrEqual(3);
  });
});

describe("bad input", () => {
  it("refuses bad cursors and limits with 400 invalid_request naming the field, and records nothing", async () => {
    const admin = await issueAdminKey();
    for (const [search, field] of [
      ["cursor=garbage!", "cursor"],
      ["cursor=", "cursor"],
      [`cursor=${btoa(JSON.stringify({ a: 1 })).replace(/=+$/, "")}`, "cursor"],
      [`cursor=${"A".repeat(201)}`, "cursor"],
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=-1", "limit"],
      ["limit=abc", "limit"],
      ["limit=1.5", "limit"],
      ["limit=", "limit"],
      ["limit=1&limit=2", "limit"],
      ["since=2020-01-01", "since"],
    ] as const) {
      const response = await adminCall(admin.apiKey, "GET", `/v1/admin/users/export?${search}`);
      const problem = await expectProblem(response, 400, "invalid_request");
      expect(JSON.stringify(problem), search).toContain(field);
    }
    expect(await exportEventsBy(admin.id)).toEqual([]);
  });
});

async function exportEventsBy(keyId: string): Promise<Record<string, unknown>[]> {
  const { results } = await env.DB.prepare(
    "select subject_user_id, actor_user_id, detail from security_events where actor_key_id = ? and type = 'admin_action'",
  )
    .bind(keyId)
    .all<{ subject_user_id: string | null; actor_user_id: string; detail: string }>();
  return results.map((row) => ({ ...row, detail: JSON.parse(row.detail) }));
}

describe("the gate and the record", () => {
  it("refuses no key, a person's token and a key without admin; a wrong method is 405", async () => {
    const path = "/v1/admin/users/export";
    await expectProblem(await call("GET", path), 401, "invalid_api_key");
    const person = await signUp();
    await expectProblem(await call("GET", path, { token: person.tokens.access_token }), 401, "invalid_api_key");
    const { key } = await accountWithKey(["verify"]);
    await expectProblem(await adminCall(key.api_key, "GET", path), 403, "insufficient_scope");
    for (const method of ["POST", "PUT", "PATCH"]) {
      const response = await call(method, path);
      expect(response.headers.get("Allow")).toBe("GET");
      await expectProblem(response, 405, "method_not_allowed");
    }
  });

  it("records each export call as one admin_action naming the key, its owner and the row count", async () => {
    const admin = await issueAdminKey();
    const start = nowSeconds();
    await Promise.all([signUp(), signUp()]);
    const page = await exportPage(admin.apiKey, { cursor: cursorBefore(start), limit: "1" });
    expect(page.lines).toHaveLength(1);
    expect(await exportEventsBy(admin.id)).toEqual([
      {
        subject_user_id: null,
        actor_user_id: admin.owner.userId,
        detail: { action: "export_users", via: "api", rows: 1, first_page: false },
      },
    ]);
  });
});
