// Per-row decisions of the user import: malformed rows refused with the right code and field while the
// good rows of the same batch land, every conflict code, duplicates within a batch, the batch bounds,
// and the dry run, which predicts every status and writes nothing.
import { describe, expect, it } from "vitest";
import { expectProblem, readJson } from "./support/http";
import { ARGON2ID_256MIB, BCRYPT, DJANGO_1_2M, WERKZEUG_SCRYPT_OVER_CAP } from "./support/legacy-hashes";
import { importRaw, importTableCounts, importUsers, uniqueRow, userByEmail } from "./support/user-import";

const BCRYPT_HASH = BCRYPT[0]?.stored as string;

describe("malformed rows", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ["a typo'd field", { emial: "x@example.com" }, "invalid_row", "emial"],
    ["no email", { email: undefined }, "invalid_row", "email"],
    ["a non-address email", { email: "not an address" }, "invalid_row", "email"],
    ["a bad username", { username: "a b" }, "invalid_row", "username"],
    ["a non-E.164 phone", { phone: "555-1234" }, "invalid_row", "phone"],
    ["a string flag", { email_verified: "yes" }, "invalid_row", "email_verified"],
    ["a bad created_at", { created_at: "yesterday" }, "invalid_row", "created_at"],
    ["milliseconds for created_at", { created_at: 1_700_000_000_000 }, "invalid_row", "created_at"],
    ["an id not ours", { id: "42" }, "invalid_row", "id"],
    ["password and hash both", { password: "x", password_hash: BCRYPT_HASH }, "invalid_row", "password"],
    ["an unknown hash format", { password_hash: "md5$abc$def" }, "unsupported_hash", "password_hash"],
    [
      "bcrypt cost 31",
      { password_hash: "$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
      "hash_cost_too_high",
      "password_hash",
    ],
    [
      "PBKDF2 above the bound",
      { password_hash: DJANGO_1_2M.replace("1200000", "5000000") },
      "hash_cost_too_high",
      "password_hash",
    ],
    [
      "werkzeug scrypt above the cap",
      { password_hash: WERKZEUG_SCRYPT_OVER_CAP },
      "hash_cost_too_high",
      "password_hash",
    ],
    ["argon2id at 256 MiB", { password_hash: ARGON2ID_256MIB }, "hash_cost_too_high", "password_hash"],
    [
      "our scrypt above the cap",
      { password_hash: "$scrypt$ln=21,r=8,p=1$c29tZXNhbHRzb21l$c29tZXNhbHRzb21lc29tZXNhbHQ=" },
      "hash_cost_too_high",
      "password_hash",
    ],
    ["a TOTP secret not base32", { totp_secret: "not base32!" }, "totp_secret_invalid", "totp_secret"],
    ["a TOTP secret too short", { totp_secret: "JBSWY3DP" }, "totp_secret_invalid", "totp_secret"],
    ["an identity without subject", { identities: [{ provider: "github" }] }, "invalid_row", "identities.0.subject"],
    [
      "an identity with an extra field",
      { identities: [{ provider: "github", subject: "1", token: "t" }] },
      "invalid_row",
      "identities.0.token",
    ],
    ["a legacy id that is an object", { legacy_id: { id: 1 } }, "invalid_row", "legacy_id"],
  ];

  it("each is refused with its code and field, and the good rows of the same batch land", async () => {
    const good = [uniqueRow({ password_hash: BCRYPT_HASH }), uniqueRow()];
    const bad = cases.map(([, fields]) => uniqueRow(fields));
    const answer = await importUsers([good[0], ...bad, good[1], "not an object"]);
    expect(answer.results[0]?.status).toBe("created");
    expect(answer.results[bad.length + 1]?.status).toBe("created");
    cases.forEach(([name, , code, field], i) => {
      expect(answer.results[i + 1]?.error, name).toMatchObject({ code, field });
      expect(answer.results[i + 1]?.status).toBe("rejected");
    });
    expect(answer.results.at(-1)?.error).toMatchObject({ code: "invalid_row", field: "row" });
    expect(answer).toMatchObject({ created: 2, unchanged: 0, rejected: cases.length + 1 });
    for (const row of bad) if (typeof row.email === "string") expect(await userByEmail(row.email)).toBeNull();
  });

  it("the export's read-only fields are accepted and ignored", async () => {
    const row = uniqueRow({
      factors: { totp: false, sms: false, recovery_codes: 0 },
      updated_at: "2020-01-01T00:00:00Z",
    });
    expect((await importUsers([row])).results[0]?.status).toBe("created");
  });
});

describe("conflicts with existing users", () => {
  it("each conflict code, and the existing user is left as it was", async () => {
    const subject = `gh-${crypto.randomUUID()}`;
    const existing = uniqueRow({ identities: [{ provider: "github", subject }], name: "Original" });
    const seeded = await importUsers([existing]);
    const existingId = seeded.results[0]?.user_id as string;
    const answer = await importUsers([
      { ...uniqueRow(), email: existing.email },
      { ...uniqueRow(), username: existing.username },
      { ...uniqueRow(), legacy_id: existing.legacy_id },
      { ...uniqueRow(), id: existingId },
      uniqueRow({ identities: [{ provider: "github", subject }] }),
    ]);
    expect(answer.results.map((r) => [r.error?.code, r.error?.field])).toEqual([
      ["email_taken", "email"],
      ["username_taken", "username"],
      ["legacy_id_taken", "legacy_id"],
      ["id_taken", "id"],
      ["identity_taken", "identities.0"],
    ]);
    // The same keys with different data: a conflict, never an overwrite.
    const changed = await importUsers([{ ...existing, name: "Changed" }]);
    expect(changed.results[0]?.error).toMatchObject({ code: "legacy_id_taken", field: "legacy_id" });
    expect((await userByEmail(existing.email as string))?.name).toBe("Original");
  });

  it("a sign-up's account is never taken over by an import of its email", async () => {
    const row = uniqueRow({ password: "import password 1" });
    await importUsers([row]);
    const answer = await importUsers([{ ...uniqueRow(), email: String(row.email).toUpperCase() }]);
    expect(answer.results[0]?.error?.code).toBe("email_taken");
  });

  it("rows of one batch sharing a key: the first is imported, the later are duplicate_in_batch", async () => {
    const first = uniqueRow();
    const answer = await importUsers([
      first,
      { ...uniqueRow(), email: first.email },
      { ...uniqueRow(), username: first.username },
      { ...uniqueRow(), legacy_id: first.legacy_id },
      { ...first },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual(["created", "rejected", "rejected", "rejected", "rejected"]);
    expect(answer.results.slice(1).map((r) => [r.error?.code, r.error?.field])).toEqual([
      ["duplicate_in_batch", "email"],
      ["duplicate_in_batch", "username"],
      ["duplicate_in_batch", "legacy_id"],
      ["duplicate_in_batch", "email"],
    ]);
  });
});

describe("the batch", () => {
  it("501 rows: 400 batch_too_large, nothing written", async () => {
    const before = await importTableCounts();
    const rows = Array.from({ length: 501 }, () => uniqueRow());
    await expectProblem(await importRaw({ users: rows }), 400, "batch_too_large");
    expect(await importTableCounts()).toEqual(before);
  });

  it("more than 10 plaintext passwords: 400 batch_too_large (dry run too), nothing hashed or written", async () => {
    const rows = [
      ...Array.from({ length: 11 }, () => uniqueRow({ password: "a plaintext passphrase" })),
      uniqueRow({ password_hash: BCRYPT_HASH }),
    ];
    for (const dry_run of [false, true]) {
      const problem = await expectProblem(await importRaw({ users: rows, dry_run }), 400, "batch_too_large");
      expect(JSON.stringify(problem)).toContain("plaintext");
    }
    for (const row of rows) expect(await userByEmail(String(row.email))).toBeNull();
    // Ten go through with any number of hashed rows beside them.
    const answer = await importUsers([...rows.slice(1)]);
    expect(answer.created).toBe(11);
  });

  it("not JSON, not an object, no users, empty users: 400, nothing written", async () => {
    const before = await importTableCounts();
    for (const body of [
      [uniqueRow()],
      { rows: [] },
      { users: [] },
      { users: "x" },
      { users: [uniqueRow()], extra: 1 },
    ]) {
      expect((await importRaw(body)).status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
    expect(await importTableCounts()).toEqual(before);
  });

  it("500 rows land in one call", async () => {
    const rows = Array.from({ length: 500 }, () => uniqueRow({ password_hash: BCRYPT_HASH, name: "Bulk" }));
    const answer = await importUsers(rows);
    expect(answer.created).toBe(500);
  }, 30_000);

  it("a body over 2 MB: 413 payload_too_large", async () => {
    const big = "x".repeat(100);
    const rows = Array.from({ length: 500 }, () =>
      uniqueRow({ name: big, first_name: big, last_name: big, pad: big.repeat(40) }),
    );
    await expectProblem(await importRaw({ users: rows }), 413, "payload_too_large");
  });
});

describe("dry run", () => {
  it("predicts every status and writes nothing", async () => {
    const existing = uniqueRow();
    await importUsers([existing]);
    const before = await importTableCounts();
    const fresh = uniqueRow({ password: "would be hashed", totp_secret: "JBSWY3DPEHPK3PXP" });
    const answer = await importUsers([fresh, { ...uniqueRow(), email: existing.email }, { ...fresh }, { bad: 1 }], {
      dryRun: true,
    });
    expect(answer.dry_run).toBe(true);
    expect(answer.results.map((r) => r.status)).toEqual(["created", "rejected", "rejected", "rejected"]);
    expect(answer.results[0]?.user_id).toBeUndefined();
    expect(answer.results.slice(1).map((r) => r.error?.code)).toEqual([
      "email_taken",
      "duplicate_in_batch",
      "invalid_row",
    ]);
    const again = await importUsers([existing], { dryRun: true });
    expect(again.results[0]).toMatchObject({ status: "unchanged", user_id: expect.any(String) });
    expect(await importTableCounts()).toEqual(before);
    expect(await userByEmail(fresh.email as string)).toBeNull();
    const response = await importRaw({ users: [fresh], dry_run: true });
    expect((await readJson(response)).created).toBe(1);
  });
});
