// `npm run import` when the server does not simply answer: a 429 is retried after its Retry-After, a
// 503 or a dropped connection with a backoff, retries that run out end the run with exit 3 (later
// batches are not sent), and a refusal of the whole call (401, 403, 400, 413) ends it at once, unretried.

import { afterEach, describe, expect, it } from "vitest";
import { plaintextRows, runCli, tempFolder, writeJsonLines } from "./support/run-cli.mjs";
import { startStubServer, TEST_KEY } from "./support/stub-server.mjs";

const KEY_ENV = { EDGE_AUTH_ADMIN_KEY: TEST_KEY };
/** Backoff this short shows that a long wait came from Retry-After, not from the backoff. */
const FAST = ["--backoff-ms", "5"];
let cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function setUp(intercept, rows = plaintextRows(6)) {
  const server = await startStubServer({ intercept });
  const folder = tempFolder();
  cleanups.push(server.close, folder.cleanup);
  const file = folder.file("users.jsonl");
  writeJsonLines(file, rows);
  return { server, file };
}

const importCalls = (server) => server.calls.filter((call) => call.path === "/v1/admin/users/import");

describe("retries", () => {
  it("waits as Retry-After says after a 429, then imports every row once", async () => {
    const times = [];
    const { server, file } = await setUp((call) => {
      times.push(performance.now());
      if (call.count === 1) return { status: 429, headers: { "Retry-After": "1" }, body: "{}" };
    });
    const run = await runCli(
      "import.mjs",
      [file, "--url", server.url, "--batch", "3", "--concurrency", "1", ...FAST],
      KEY_ENV,
    );
    expect(run.code).toBe(0);
    expect(importCalls(server)).toHaveLength(3);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect(server.imported.size).toBe(6);
    expect(run.stderr).toMatch(/lines 1–3: HTTP 429, retry 1 in 1\.0 s/);
  });

  it("retries a 503 and a dropped connection with a backoff", async () => {
    const { server, file } = await setUp((call) => {
      if (call.count === 1) return { status: 503, body: "{}" };
      if (call.count === 2) return { hangUp: true };
    });
    const run = await runCli("import.mjs", [file, "--url", server.url, ...FAST], KEY_ENV);
    expect(run.code).toBe(0);
    expect(importCalls(server)).toHaveLength(3);
    expect(run.stdout).toMatch(/created +6\n/);
  });

  it("exits 3 when a batch still fails after --retries, sending no later batch, and keeps the state to resume", async () => {
    const { server, file } = await setUp(() => ({ status: 503, body: "{}" }));
    const args = [file, "--url", server.url, "--batch", "2", "--concurrency", "1", "--retries", "2", ...FAST];
    const run = await runCli("import.mjs", args, KEY_ENV);
    expect(run.code).toBe(3);
    // One batch, tried three times; the other two never sent.
    expect(importCalls(server).map((call) => call.json.users[0].email)).toEqual([
      "u1@example.test",
      "u1@example.test",
      "u1@example.test",
    ]);
    expect(run.stdout).toMatch(/failed +2\n/);
    expect(run.stdout).toMatch(/run the same command again to resume/);
    expect(run.stderr).toMatch(/HTTP 503 \(after 3 attempts\)/);
  });

  for (const [status, code] of [
    [401, "invalid_api_key"],
    [403, "insufficient_scope"],
    [400, "batch_too_large"],
    [413, "payload_too_large"],
  ]) {
    it(`stops at once on ${status} ${code} for the batch as a whole, unretried, with exit 3`, async () => {
      const problem = JSON.stringify({ status, code, title: "refused" });
      const { server, file } = await setUp(() => ({ status, body: problem }));
      const run = await runCli(
        "import.mjs",
        [file, "--url", server.url, "--batch", "2", "--concurrency", "1"],
        KEY_ENV,
      );
      expect(run.code).toBe(3);
      expect(importCalls(server)).toHaveLength(1);
      expect(run.stdout).toContain(`the server refused the import: HTTP ${status} ${code}: refused`);
    });
  }

  it("sends a wrong key once (401, exit 3) and never prints it", async () => {
    const { server, file } = await setUp();
    const wrongKey = "ea_sk_WrongWrongWrongWrongWrongWrong99_zzzzzz";
    const run = await runCli("import.mjs", [file, "--url", server.url, "--key", wrongKey], {});
    expect(run.code).toBe(3);
    expect(importCalls(server)).toHaveLength(1);
    expect(run.stdout).toMatch(/HTTP 401 invalid_api_key/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrongKey);
  });

  it("refuses an answer that is not an import answer for the batch (exit 3)", async () => {
    const { server, file } = await setUp(() => ({
      status: 200,
      body: JSON.stringify({ results: [], dry_run: false }),
    }));
    const run = await runCli("import.mjs", [file, "--url", server.url], KEY_ENV);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/not an import answer/);
  });
});
