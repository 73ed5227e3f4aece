/// <reference types="vite/client" />
// Every example file in examples/import/ imports through the real route, read by the CLI's own row
// parser (scripts/import/parse-rows.mjs), and each of its users then signs in with the password
// examples/import/README.md names for it: the examples and their README cannot drift from what the
// server accepts. Emails, usernames, legacy ids and identity subjects get a tag per run, so the shared
// D1 never sees the same account twice.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import readme from "../examples/import/README.md?raw";
import { type ParsedRow, parseCsvRows, parseJsonLine, ROW_FIELDS } from "../scripts/import/parse-rows.mjs";
import type { Bindings } from "../src/bindings";
import { IMPORT_ROW_FIELDS } from "../src/services/user-import-rows";
import { callWith, readJson } from "./support/http";
import { FIREBASE_ENV } from "./support/legacy-hashes";
import { importUsers } from "./support/user-import";

const FILES = import.meta.glob<string>("../examples/import/*.{jsonl,csv}", {
  query: "?raw",
  import: "default",
  eager: true,
});
const byName = new Map(Object.entries(FILES).map(([path, text]) => [path.split("/").pop() ?? path, text]));

/** The README's table rows: file, email, password. */
const SIGN_INS = [...readme.matchAll(/^\| `([^`]+)` \| [^|]+ \| `([^`]+)` \| `([^`]+)` \|$/gm)].map((match) => ({
  file: match[1] ?? "",
  email: match[2] ?? "",
  password: match[3] ?? "",
}));

/** Firebase hashes import and verify only with the project's FIREBASE_SCRYPT_* parameters. */
const bindingsFor = (file: string): Bindings =>
  file.startsWith("firebase") ? ({ ...env, ...FIREBASE_ENV } as unknown as Bindings) : env;

/** Two formats of 1,000,000-iteration PBKDF2 and argon2 sign-ins: seconds on a busy machine. */
const FILE_TIMEOUT_MS = 60_000;

async function rowsOf(file: string, text: string): Promise<Record<string, unknown>[]> {
  const parsed: ParsedRow[] = [];
  if (file.endsWith(".csv")) {
    for await (const item of parseCsvRows([text])) parsed.push(item);
  } else {
    text.split("\n").forEach((line, index) => {
      const item = parseJsonLine(index + 1, line);
      if (item) parsed.push(item);
    });
  }
  for (const item of parsed) expect(item.error, `${file} line ${item.line}`).toBeUndefined();
  return parsed.map((item) => item.row ?? {});
}

/** `row` with its unique fields tagged for this run. */
function tagged(row: Record<string, unknown>, tag: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...row, email: String(row.email).replace("@", `+${tag}@`) };
  if (typeof row.username === "string") copy.username = `${row.username}_${tag}`;
  if (row.legacy_id !== undefined) copy.legacy_id = `${String(row.legacy_id)}-${tag}`;
  if (Array.isArray(row.identities)) {
    copy.identities = row.identities.map((identity: Record<string, unknown>) => ({
      ...identity,
      subject: `${String(identity.subject)}-${tag}`,
    }));
  }
  return copy;
}

describe("examples/import", () => {
  it("has a README row for every user of every file, and no row for a user or file that is not there", async () => {
    expect(byName.size).toBeGreaterThanOrEqual(12);
    expect([...new Set(SIGN_INS.map((entry) => entry.file))].sort()).toEqual([...byName.keys()].sort());
    for (const [file, text] of byName) {
      const emails = (await rowsOf(file, text)).map((row) => row.email);
      expect(emails, file).toEqual(SIGN_INS.filter((entry) => entry.file === file).map((entry) => entry.email));
    }
  });

  for (const [file, text] of byName) {
    it(
      `${file}: every row imports, and each user signs in with the README's password`,
      async () => {
        const tag = crypto.randomUUID().slice(0, 8);
        const bindings = bindingsFor(file);
        const rows = await rowsOf(file, text);
        const answer = await importUsers(
          rows.map((row) => tagged(row, tag)),
          { bindings },
        );
        expect(
          answer.results.map((result) => result.error ?? result.status),
          file,
        ).toEqual(rows.map(() => "created"));
        for (const row of rows) {
          const entry = SIGN_INS.find((sign) => sign.file === file && sign.email === row.email);
          const email = String(tagged(row, tag).email);
          const login = await callWith(bindings, "POST", "/v1/login", { json: { email, password: entry?.password } });
          expect(login.status, `${file} ${String(row.email)}`).toBe(200);
          expect(await readJson(login)).toMatchObject({ access_token: expect.any(String) });
        }
      },
      FILE_TIMEOUT_MS,
    );
  }

  it("refuses the Firebase example where FIREBASE_SCRYPT_* is not configured (unsupported_hash)", async () => {
    const [row] = await rowsOf("firebase-scrypt.jsonl", byName.get("firebase-scrypt.jsonl") ?? "");
    const answer = await importUsers([tagged(row ?? {}, crypto.randomUUID().slice(0, 8))]);
    expect(answer.results[0]?.error).toMatchObject({ code: "unsupported_hash", field: "password_hash" });
  });
});

describe("the CLI's copy of the row contract", () => {
  it("names exactly the fields the server accepts", () => {
    expect([...ROW_FIELDS].sort()).toEqual([...IMPORT_ROW_FIELDS].sort());
  });
});
