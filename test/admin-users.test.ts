// Reading users through the admin API: search by exact (normalized) email, by id and by creation
// time, newest first, paged by an opaque cursor; one user with their sessions, identities, factors and
// keys, as metadata only. Every wrong query is refused 400 invalid_request naming its field.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUp, uniqueEmail } from "./support/accounts";
import { adminCall, issueAdminKey } from "./support/admin";
import { createKey } from "./support/api-keys";
import { expectProblem, readJson } from "./support/http";
import { signUpWithTotp } from "./support/totp";

interface Listed {
  users: { id: string; email: string; created_at: string; disabled: boolean }[];
  next_cursor: string | null;
}

const admin = await issueAdminKey();
const list = async (query: string) => adminCall(admin.apiKey, "GET", `/v1/admin/users${query}`);
const listed = async (query: string) => {
  const response = await list(query);
  expect(response.status).toBe(200);
  return readJson<Listed>(response);
};

/** `count` fresh accounts created at `base`, `base + 1`, … (two share a second, to test id ties). */
async function accountsCreatedAt(base: number, count: number) {
  const accounts = [];
  for (let index = 0; index < count; index++) {
    const account = await signUp();
    const createdAt = base + Math.min(index, count - 2);
    await env.DB.prepare("update users set created_at = ? where id = ?").bind(createdAt, account.userId).run();
    accounts.push({ ...account, createdAt });
  }
  return accounts;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe("GET /v1/admin/users", () => {
  it("finds one account by its email, however it is cased, and by its id", async () => {
    const email = uniqueEmail("Search");
    const account = await signUp({ email });
    for (const spelling of [email, email.toUpperCase(), ` ${email} `]) {
      const page = await listed(`?email=${encodeURIComponent(spelling)}`);
      expect(page.users.map((user) => user.id)).toEqual([account.userId]);
      expect(page.next_cursor).toBeNull();
    }
    expect((await listed(`?id=${account.userId}`)).users.map((user) => user.email)).toEqual([email.toLowerCase()]);
    expect((await listed(`?email=${encodeURIComponent(uniqueEmail())}`)).users).toEqual([]);
    expect((await listed(`?id=${crypto.randomUUID()}`)).users).toEqual([]);
  });

  it("pages a created range newest first by cursor, every user once, ties ordered by id", async () => {
    const base = 1_000_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
    const accounts = await accountsCreatedAt(base, 5);
    const expected = [...accounts]
      .sort((a, b) => b.createdAt - a.createdAt || (a.userId < b.userId ? 1 : -1))
      .map((account) => account.userId);
    const range = `created_after=${iso(base - 1)}&created_before=${encodeURIComponent(iso(base + 5))}`;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Listed = await listed(`?${range}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((user) => user.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    // The bounds are exclusive: a range that starts at the oldest second leaves that account out.
    const narrower = await listed(`?created_after=${iso(base)}&created_before=${iso(base + 5)}`);
    expect(narrower.users.map((user) => user.id)).toEqual(expected.slice(0, -1));
  });

  it("refuses a bad cursor, bad dates, a bad limit, unknown or repeated parameters, naming the field", async () => {
    const cases: [string, string][] = [
      ["?cursor=not-a-cursor!", "cursor"],
      [`?cursor=${btoa('["x",1]').replaceAll("=", "")}`, "cursor"],
      [`?cursor=${btoa("[1]").replaceAll("=", "")}`, "cursor"],
      ["?created_after=yesterday", "created_after"],
      ["?created_before=2026-13-01T00:00:00Z", "created_before"],
      ["?created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z", "created_before"],
      ["?limit=0", "limit"],
      ["?limit=101", "limit"],
      ["?limit=ten", "limit"],
      ["?email=not-an-address", "email"],
      ["?role=owner", "role"],
      ["?limit=1&limit=2", "limit"],
    ];
    for (const [query, field] of cases) {
      const body = await expectProblem(await list(query), 400, "invalid_request");
      expect(body.errors, query).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
  });
});

describe("GET /v1/admin/users/{id}", () => {
  it("answers the user with live sessions, identities, factors and keys, and no secret of any", async () => {
    const account = await signUpWithTotp();
    const key = await createKey(account);
    const identityId = crypto.randomUUID();
    await env.DB.prepare(
      "insert into identities (id, user_id, provider, subject, email, email_verified, created_at) values (?, ?, 'github', '12345', ?, 1, 1700000000)",
    )
      .bind(identityId, account.userId, account.email)
      .run();
    const response = await adminCall(admin.apiKey, "GET", `/v1/admin/users/${account.userId}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const detail = JSON.parse(text);
    expect(detail.user).toMatchObject({
      id: account.userId,
      email: account.email,
      disabled: false,
      has_password: true,
    });
    expect(detail.sessions.map((session: { id: string }) => session.id)).toContain(
      JSON.parse(atob(account.tokens.access_token.split(".")[1] ?? "")).sid,
    );
    expect(detail.identities).toEqual([
      expect.objectContaining({ id: identityId, provider: "github", subject: "12345" }),
    ]);
    expect(detail.factors).toMatchObject({
      totp: { confirmed: true, confirmed_at: expect.any(String) },
      recovery_codes_remaining: 10,
      sms_sign_in: false,
    });
    expect(detail.api_keys).toEqual([expect.objectContaining({ id: key.id, prefix: key.prefix })]);
    for (const secret of [key.api_key, account.secret, account.recoveryCodes[0] ?? "?", account.tokens.refresh_token]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/password_hash|secret_hash|code_hash|ciphertext|\$scrypt\$/);
  });

  it("answers 404 user_not_found for an unknown id, a malformed one and a deleted user", async () => {
    const gone = await signUp();
    expect((await adminCall(admin.apiKey, "DELETE", `/v1/admin/users/${gone.userId}`)).status).toBe(204);
    for (const id of [crypto.randomUUID(), "x".repeat(65), gone.userId]) {
      await expectProblem(await adminCall(admin.apiKey, "GET", `/v1/admin/users/${id}`), 404, "user_not_found");
    }
  });
});
