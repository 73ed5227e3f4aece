// Resuming `npm run import`: a Ctrl-C lets the calls in flight finish (a second one abandons them),
// a crash (SIGKILL) keeps what finished, and the next run with the same file sends only the batches
// that did not finish, still reporting the earlier ones (their rejects too). The state file itself:
// a write cut short is dropped, a file of another import is refused, never changed.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { openState, StateError } from "../../scripts/import/state.mjs";
import { plaintextRows, readJsonLines, runCli, startCli, tempFolder, writeJsonLines } from "./support/run-cli.mjs";
import { startStubServer, TEST_KEY } from "./support/stub-server.mjs";

const KEY_ENV = { EDGE_AUTH_ADMIN_KEY: TEST_KEY };
const ROWS = 40;
const BATCH = 5;
let cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stub whose `onImport(call, child)` runs on each import call, a file of ROWS rows, and the CLI's args. */
async function setUp(onImport) {
  const cli = { child: null };
  const server = await startStubServer({ intercept: (call) => onImport(call, cli.child) });
  const folder = tempFolder();
  cleanups.push(server.close, folder.cleanup);
  const file = folder.file("users.jsonl");
  const rows = plaintextRows(ROWS);
  rows[7] = { email: "eight+taken@example.test" };
  writeJsonLines(file, rows);
  const args = [file, "--url", server.url, "--batch", String(BATCH), "--concurrency", "1"];
  return { server, file, args, cli };
}

const firstLines = (batches) => batches.map((rows) => Number(/^u(\d+)@/.exec(rows[0]?.email)?.[1]));

describe("resume", () => {
  it("on Ctrl-C finishes the call in flight, saves it, and the next run sends only the rest", async () => {
    const { server, file, args, cli } = await setUp(async (call, child) => {
      if (call.count === 3) {
        child.kill("SIGINT");
        await later(250);
      }
    });
    const first = startCli("import.mjs", args, KEY_ENV);
    cli.child = first.child;
    const interrupted = await first.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/interrupted: finishing the calls in flight/);
    expect(interrupted.stdout).toMatch(/run the same command again to resume/);
    expect(firstLines(server.importBatches())).toEqual([1, 6, 11]);
    // The third call finished after the Ctrl-C: it is in the state, with the first two.
    expect(readFileSync(`${file}.import-state.json`, "utf8").trimEnd().split("\n")).toHaveLength(4);
    expect(readJsonLines(`${file}.rejects.jsonl`).map((reject) => reject.line)).toEqual([8]);

    const resumed = await runCli("import.mjs", args, KEY_ENV);
    expect(resumed.code).toBe(1);
    const batches = server.importBatches();
    expect(firstLines(batches.slice(3))).toEqual([16, 21, 26, 31, 36]);
    expect(batches.flat().map((row) => row.email)).toHaveLength(ROWS);
    expect(new Set(batches.flat().map((row) => row.email)).size).toBe(ROWS);
    // The summary counts the whole file, the earlier batches included, and the rejects file too.
    expect(resumed.stdout).toMatch(/created +39\n/);
    expect(resumed.stdout).toMatch(/rejected +1 /);
    expect(resumed.stdout).toMatch(/15 rows were imported by an earlier run/);
    expect(readJsonLines(`${file}.rejects.jsonl`)).toEqual([
      expect.objectContaining({ line: 8, error: expect.objectContaining({ code: "email_taken" }) }),
    ]);
    // Finished: nothing left to resume.
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
  });

  it("on a second Ctrl-C abandons the call in flight, which the next run sends again", async () => {
    const { server, args, cli } = await setUp(async (call, child) => {
      if (call.count === 2) {
        child.kill("SIGINT");
        // Apart, so the two are not merged into one pending signal.
        await later(200);
        child.kill("SIGINT");
        // Never answered: the CLI must not wait for it.
        return new Promise(() => {});
      }
    });
    const first = startCli("import.mjs", args, KEY_ENV);
    cli.child = first.child;
    expect((await first.done).code).toBe(130);
    const resumed = await runCli("import.mjs", args, KEY_ENV);
    expect(resumed.code).toBe(1);
    expect(firstLines(server.importBatches())).toEqual([1, 6, 6, 11, 16, 21, 26, 31, 36]);
    expect(server.imported.size).toBe(ROWS - 1);
  });

  it("after a crash (SIGKILL) resumes from the batches that were saved", async () => {
    const { server, args, cli } = await setUp(async (call, child) => {
      if (call.count === 4) {
        child.kill("SIGKILL");
        await later(250);
      }
    });
    const first = startCli("import.mjs", args, KEY_ENV);
    cli.child = first.child;
    expect((await first.done).signal).toBe("SIGKILL");
    const resumed = await runCli("import.mjs", args, KEY_ENV);
    expect(resumed.code).toBe(1);
    expect(firstLines(server.importBatches())).toEqual([1, 6, 11, 16, 16, 21, 26, 31, 36]);
    expect(resumed.stdout).toMatch(/15 rows were imported by an earlier run/);
  });

  it("sends a batch again when its rows changed since the interrupted run", async () => {
    const { server, file, args, cli } = await setUp(async (call, child) => {
      if (call.count === 2) {
        child.kill("SIGINT");
        await later(250);
      }
    });
    const first = startCli("import.mjs", args, KEY_ENV);
    cli.child = first.child;
    expect((await first.done).code).toBe(130);
    const rows = readJsonLines(file);
    rows[0] = { email: "u1@example.test", password: "pw-changed", name: "Changed" };
    writeJsonLines(file, rows);
    expect((await runCli("import.mjs", args, KEY_ENV)).code).toBe(1);
    expect(firstLines(server.importBatches())).toEqual([1, 6, 1, 11, 16, 21, 26, 31, 36]);
  });

  it("never reads or writes the state in a dry run", async () => {
    const { server, file, args } = await setUp(() => undefined);
    writeFileSync(`${file}.import-state.json`, "not ours\n");
    const run = await runCli("import.mjs", [...args, "--dry-run"], KEY_ENV);
    expect(run.code).toBe(1);
    expect(server.importBatches()).toHaveLength(ROWS / BATCH);
    expect(readFileSync(`${file}.import-state.json`, "utf8")).toBe("not ours\n");
  });
});

describe("the state file", () => {
  it("drops a last line cut short by a crash, and appends after it cleanly", () => {
    const folder = tempFolder();
    cleanups.push(folder.cleanup);
    const path = folder.file("state.json");
    const state = openState(path, "users.jsonl");
    state.markDone("1-5-aa", { created: 5, unchanged: 0, rejected: [] });
    state.markDone("6-10-bb", { created: 4, unchanged: 0, rejected: [[2, { code: "email_taken", reason: "x" }]] });
    appendFileSync(path, '{"key":"11-15-cc","crea');
    const reopened = openState(path, "users.jsonl");
    expect([...reopened.finished.keys()]).toEqual(["1-5-aa", "6-10-bb"]);
    reopened.markDone("11-15-cc", { created: 5, unchanged: 0, rejected: [] });
    expect([...openState(path, "users.jsonl").finished.keys()]).toEqual(["1-5-aa", "6-10-bb", "11-15-cc"]);
  });

  it("refuses a file it did not write, or one written for another import, and leaves it as it was", async () => {
    const folder = tempFolder();
    cleanups.push(folder.cleanup);
    const foreign = folder.file("foreign.json");
    writeFileSync(foreign, '{"email":"a@example.test"}\n{"email":"b@exa');
    expect(() => openState(foreign, "users.jsonl")).toThrow(StateError);
    expect(readFileSync(foreign, "utf8")).toBe('{"email":"a@example.test"}\n{"email":"b@exa');
    const other = folder.file("other.json");
    openState(other, "first.jsonl").markDone("1-1-aa", { created: 1, unchanged: 0, rejected: [] });
    expect(() => openState(other, "second.jsonl")).toThrow(/belongs to first\.jsonl/);

    // Through the CLI: a usage error (exit 2), nothing sent.
    const server = await startStubServer();
    cleanups.push(server.close);
    const file = folder.file("second.jsonl");
    writeJsonLines(file, plaintextRows(2));
    const run = await runCli("import.mjs", [file, "--url", server.url, "--state", other], KEY_ENV);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/belongs to first\.jsonl/);
    expect(server.calls).toHaveLength(0);
  });
});
