// `npm run export` against the stub server: it follows Edge-Auth-Next-Cursor to the last page and
// writes every line exactly once, in order (a retried page included), to --out or standard output;
// a refusal or a page that keeps failing is exit 3 and leaves no file behind.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startCli, tempFolder } from "./support/run-cli.mjs";
import { startStubServer, TEST_KEY } from "./support/stub-server.mjs";

const KEY_ENV = { EDGE_AUTH_ADMIN_KEY: TEST_KEY };
const USERS = Array.from({ length: 23 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  email: `user${i}@example.test`,
  password_hash: "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$a2V5a2V5",
}));
const EXPECTED = USERS.map((user) => `${JSON.stringify(user)}\n`).join("");
let cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function setUp(intercept) {
  const server = await startStubServer({ users: USERS, intercept });
  const folder = tempFolder();
  cleanups.push(server.close, folder.cleanup);
  return { server, folder };
}

const exportCalls = (server) => server.calls.filter((call) => call.path === "/v1/admin/users/export");

describe("export", () => {
  it("follows the cursor to the last page and writes every line once, in order, to --out (owner-only)", async () => {
    const { server, folder } = await setUp();
    const out = folder.file("users.jsonl");
    const run = await runCli("export.mjs", ["--url", server.url, "--limit", "10", "--out", out], KEY_ENV);
    expect(run.code).toBe(0);
    expect(exportCalls(server).map((call) => [call.query.get("cursor"), call.query.get("limit")])).toEqual([
      [null, "10"],
      ["10", "10"],
      ["20", "10"],
    ]);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder.path)).toEqual(["users.jsonl"]);
    expect(run.stderr).toMatch(/export finished: 23 users in 3 pages/);
    expect(run.stderr).not.toContain(TEST_KEY);
  });

  it("writes to standard output without --out, and a page retried after a 503 or a dropped connection only once", async () => {
    const { server } = await setUp((call) => {
      if (call.count === 2) return { status: 503, body: "{}" };
      if (call.count === 3) return { hangUp: true };
    });
    const run = await runCli("export.mjs", ["--url", server.url, "--limit", "10", "--backoff-ms", "5"], KEY_ENV);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(EXPECTED);
    expect(exportCalls(server).map((call) => call.query.get("cursor"))).toEqual([null, "10", "10", "10", "20"]);
  });

  it("exits 3 on a refused key, unretried, and leaves no file", async () => {
    const { server, folder } = await setUp();
    const out = folder.file("users.jsonl");
    const wrongKey = "ea_sk_WrongWrongWrongWrongWrongWrong99_zzzzzz";
    const run = await runCli("export.mjs", ["--url", server.url, "--key", wrongKey, "--out", out], {});
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/the server refused the export: HTTP 401 invalid_api_key/);
    expect(exportCalls(server)).toHaveLength(1);
    expect(readdirSync(folder.path)).toEqual([]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrongKey);
  });

  it("exits 3 when a page keeps failing after --retries, removing what it had written", async () => {
    const { server, folder } = await setUp((call) => (call.count >= 2 ? { status: 502, body: "" } : undefined));
    const out = folder.file("users.jsonl");
    const args = ["--url", server.url, "--limit", "10", "--out", out, "--retries", "1", "--backoff-ms", "5"];
    const run = await runCli("export.mjs", args, KEY_ENV);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/a page failed: HTTP 502 \(after 2 attempts\)/);
    expect(exportCalls(server)).toHaveLength(3);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(folder.path)).toEqual([]);
  });

  it("exits 3 on an answer that is not JSON Lines, or a cursor that does not move", async () => {
    const html = await setUp(() => ({ status: 200, headers: { "Content-Type": "text/html" }, body: "<html>" }));
    const first = await runCli("export.mjs", ["--url", html.server.url], KEY_ENV);
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/not JSON Lines/);
    const stuck = await setUp((call) =>
      call.count >= 2
        ? {
            status: 200,
            headers: { "Content-Type": "application/x-ndjson", "Edge-Auth-Next-Cursor": "5" },
            body: '{"id":"x"}\n',
          }
        : undefined,
    );
    const second = await runCli("export.mjs", ["--url", stuck.server.url, "--limit", "5"], KEY_ENV);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/the same cursor twice/);
  });

  it("on Ctrl-C stops after the page in flight, exits 130 and keeps no partial file", async () => {
    const cli = { child: null };
    const { server, folder } = await setUp(async (call) => {
      if (call.count === 2) {
        cli.child.kill("SIGINT");
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    const out = folder.file("users.jsonl");
    const started = startCli("export.mjs", ["--url", server.url, "--limit", "5", "--out", out], KEY_ENV);
    cli.child = started.child;
    const run = await started.done;
    expect(run.code).toBe(130);
    expect(exportCalls(server)).toHaveLength(2);
    expect(readdirSync(folder.path)).toEqual([]);
  });
});
