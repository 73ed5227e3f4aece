// `npm run import` against the stub server: how a file becomes calls (batch size, the 2 MiB body,
// bounded concurrency), what the summary and exit code say, and the rejects file: every refused row
// with its line number and reason, locally malformed lines never sent, and no secret written.

import { existsSync, readFileSync, statSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { plaintextRows, readJsonLines, runCli, tempFolder, writeJsonLines } from "./support/run-cli.mjs";
import { startStubServer, TEST_KEY } from "./support/stub-server.mjs";

const KEY_ENV = { EDGE_AUTH_ADMIN_KEY: TEST_KEY };
let cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function setUp(options) {
  const server = await startStubServer(options);
  const folder = tempFolder();
  cleanups.push(server.close, folder.cleanup);
  return { server, folder };
}

describe("batches", () => {
  it("sends every row once, in calls of --batch rows, and reports them all created (exit 0)", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    writeJsonLines(file, plaintextRows(23));
    const run = await runCli("import.mjs", [file, "--url", server.url, "--batch", "5"], KEY_ENV);
    expect(run.code).toBe(0);
    const batches = server.importBatches();
    expect(batches.map((rows) => rows.length).sort()).toEqual([3, 5, 5, 5, 5]);
    const sent = batches.flat().map((row) => row.email);
    expect(new Set(sent).size).toBe(23);
    expect(sent.sort()).toEqual(
      plaintextRows(23)
        .map((row) => row.email)
        .sort(),
    );
    expect(server.calls.every((call) => call.json?.dry_run === false)).toBe(true);
    expect(server.calls.every((call) => call.headers.authorization === `Bearer ${TEST_KEY}`)).toBe(true);
    expect(run.stdout).toMatch(/created +23\n/);
    expect(run.stdout).toMatch(/rejected +0\n/);
    expect(run.stdout).toMatch(/rows\/s/);
    // Nothing refused: no rejects file; the run finished: no state left to resume.
    expect(existsSync(`${file}.rejects.jsonl`)).toBe(false);
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
  });

  it("sends at most 10 plaintext-password rows a call (the server's cap), with any number of hashed rows", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    const hashed = Array.from({ length: 30 }, (_, i) => ({ email: `h${i}@example.test`, password_hash: "$2b$10$x" }));
    writeJsonLines(file, [...plaintextRows(25), ...hashed]);
    const run = await runCli("import.mjs", [file, "--url", server.url, "--concurrency", "1"], KEY_ENV);
    expect(run.code).toBe(0);
    const plaintextPerCall = server.importBatches().map((rows) => rows.filter((row) => "password" in row).length);
    expect(plaintextPerCall).toEqual([10, 10, 5]);
    expect(server.importBatches().map((rows) => rows.length)).toEqual([10, 10, 35]);
  });

  it("answers unchanged for rows a first run created, when the same file is imported again", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    writeJsonLines(file, plaintextRows(4));
    expect((await runCli("import.mjs", [file, "--url", server.url], KEY_ENV)).code).toBe(0);
    const again = await runCli("import.mjs", [file, "--url", server.url], KEY_ENV);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/created +0\n/);
    expect(again.stdout).toMatch(/unchanged +4\n/);
  });

  it("keeps at most --concurrency calls in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const { server, folder } = await setUp({
      intercept: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 60));
        inFlight--;
      },
    });
    const file = folder.file("users.jsonl");
    writeJsonLines(file, plaintextRows(12));
    const run = await runCli("import.mjs", [file, "--url", server.url, "--batch", "2", "--concurrency", "2"], KEY_ENV);
    expect(run.code).toBe(0);
    expect(server.importBatches()).toHaveLength(6);
    expect(most).toBe(2);
  });

  it("closes a batch before its body would pass the server's 2 MiB, and refuses a row larger than that locally", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("big.jsonl");
    const big = "x".repeat(900 * 1024);
    writeJsonLines(file, [
      { email: "a@example.test", name: big },
      { email: "b@example.test", name: big },
      { email: "c@example.test", name: big },
      { email: "huge@example.test", name: "y".repeat(2 * 1024 * 1024) },
    ]);
    const run = await runCli("import.mjs", [file, "--url", server.url], KEY_ENV);
    expect(run.code).toBe(1);
    expect(server.importBatches().map((rows) => rows.map((row) => row.email))).toEqual([
      ["a@example.test", "b@example.test"],
      ["c@example.test"],
    ]);
    expect(server.calls.every((call) => Buffer.byteLength(call.body) <= 2 * 1024 * 1024)).toBe(true);
    const [reject] = readJsonLines(`${file}.rejects.jsonl`);
    expect(reject).toMatchObject({ line: 4, error: { code: "row_too_large" } });
  });
});

describe("rejects", () => {
  it("writes server and local rejects with their line numbers and reasons, sends no malformed line, and exits 1", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    writeJsonLines(file, [
      { email: "one@example.test", password: "first-S3CR3T-pw" },
      '{"email": "broken@example.test", "password": "broken-S3CR3T-pw"',
      "",
      { email: "taken+taken@example.test", password_hash: "$2b$10$S3CR3Thash", totp_secret: "JBSWY3DPEHPK3PXP" },
      { email: "typo@example.test", pasword: "typo-S3CR3T-pw" },
      ["not", "an", "object"],
      { name: "no email" },
      { email: "both@example.test", password: "both-S3CR3T-pw", password_hash: "both-S3CR3T-hash" },
      { email: "two@example.test", password: "second-S3CR3T-pw" },
    ]);
    const run = await runCli("import.mjs", [file, "--url", server.url], KEY_ENV);
    expect(run.code).toBe(1);
    expect(
      server
        .importBatches()
        .flat()
        .map((row) => row.email),
    ).toEqual(["one@example.test", "taken+taken@example.test", "two@example.test"]);
    const rejectsPath = `${file}.rejects.jsonl`;
    const rejects = readJsonLines(rejectsPath).sort((a, b) => a.line - b.line);
    expect(rejects).toEqual([
      { line: 2, error: { code: "invalid_json", field: null, reason: "is not valid JSON" }, row: null },
      {
        line: 4,
        error: { code: "email_taken", field: "email", reason: "is taken" },
        row: { email: "taken+taken@example.test", password_hash: "[redacted]", totp_secret: "[redacted]" },
      },
      {
        line: 5,
        error: { code: "invalid_row", field: "pasword", reason: "is not a known field" },
        row: { email: "typo@example.test", pasword: "[redacted]" },
      },
      { line: 6, error: { code: "invalid_row", field: null, reason: "is not a JSON object" }, row: null },
      { line: 7, error: { code: "invalid_row", field: "email", reason: "is required" }, row: { name: "no email" } },
      {
        line: 8,
        error: { code: "invalid_row", field: "password", reason: "give password or password_hash, not both" },
        row: { email: "both@example.test", password: "[redacted]", password_hash: "[redacted]" },
      },
    ]);
    const written = readFileSync(rejectsPath, "utf8");
    for (const secret of ["S3CR3T", "JBSWY3DPEHPK3PXP"]) expect(written).not.toContain(secret);
    for (const output of [run.stdout, run.stderr]) expect(output).not.toContain("S3CR3T");
    // It names users: readable by its owner only.
    expect(statSync(rejectsPath).mode & 0o777).toBe(0o600);
    expect(run.stdout).toMatch(/created +2\n/);
    expect(run.stdout).toMatch(/rejected +6 \(1 by the server, 5 unreadable or malformed\)/);
  });

  it("rewrites the rejects file on every run, and removes it when a run has none", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    writeJsonLines(file, [{ email: "a+taken@example.test" }, { email: "b@example.test" }]);
    expect((await runCli("import.mjs", [file, "--url", server.url], KEY_ENV)).code).toBe(1);
    expect((await runCli("import.mjs", [file, "--url", server.url], KEY_ENV)).code).toBe(1);
    expect(readJsonLines(`${file}.rejects.jsonl`)).toHaveLength(1);
    writeJsonLines(file, [{ email: "a@example.test" }, { email: "b@example.test" }]);
    expect((await runCli("import.mjs", [file, "--url", server.url], KEY_ENV)).code).toBe(0);
    expect(existsSync(`${file}.rejects.jsonl`)).toBe(false);
  });

  it("writes the rejects where --rejects says", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    const rejects = folder.file("refused.jsonl");
    writeJsonLines(file, ["{"]);
    const run = await runCli("import.mjs", [file, "--url", server.url, "--rejects", rejects], KEY_ENV);
    expect(run.code).toBe(1);
    expect(readJsonLines(rejects)).toEqual([
      { line: 1, error: expect.objectContaining({ code: "invalid_json" }), row: null },
    ]);
    expect(server.calls).toHaveLength(0);
  });
});

describe("--dry-run", () => {
  it("sends dry_run: true on every call, writes nothing, keeps no state, and still reports the rejects", async () => {
    const { server, folder } = await setUp();
    const file = folder.file("users.jsonl");
    writeJsonLines(file, [...plaintextRows(5), { email: "x+taken@example.test" }]);
    const run = await runCli("import.mjs", [file, "--url", server.url, "--batch", "2", "--dry-run"], KEY_ENV);
    expect(run.code).toBe(1);
    expect(server.calls).toHaveLength(3);
    expect(server.calls.every((call) => call.json?.dry_run === true)).toBe(true);
    expect(server.imported.size).toBe(0);
    expect(run.stdout).toMatch(/dry run: nothing was written/);
    expect(run.stdout).toMatch(/created +5\n/);
    expect(readJsonLines(`${file}.rejects.jsonl`)).toEqual([
      expect.objectContaining({ line: 6, error: expect.objectContaining({ code: "email_taken" }) }),
    ]);
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
  });
});
