// The import and export CLIs' command lines: every malformed one is refused with exit 2 and a message
// naming the problem, before any request; the key comes from --key or EDGE_AUTH_ADMIN_KEY and is
// never printed; --help prints the options.

import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plaintextRows, runCli, tempFolder, writeJsonLines } from "./support/run-cli.mjs";
import { startStubServer, TEST_KEY } from "./support/stub-server.mjs";

let server;
let folder;
let file;
beforeAll(async () => {
  server = await startStubServer();
  folder = tempFolder();
  file = folder.file("users.jsonl");
  writeJsonLines(file, plaintextRows(2));
  mkdirSync(folder.file("a-folder.jsonl"));
});
afterAll(async () => {
  await server.close();
  folder.cleanup();
});

describe("import usage errors", () => {
  const cases = () => [
    ["no file", ["--url", server.url], /give exactly one file/],
    ["two files", [file, file, "--url", server.url], /give exactly one file/],
    ["a missing file", [folder.file("missing.jsonl"), "--url", server.url], /missing\.jsonl: no such file/],
    ["a folder", [folder.file("a-folder.jsonl"), "--url", server.url], /is not a file/],
    ["no --url", [file], /--url is required/],
    ["a --url that is not one", [file, "--url", "auth.example.com"], /--url must be a URL/],
    ["plain http to a remote host", [file, "--url", "http://auth.example.com"], /--url must be https/],
    ["a --url with a query", [file, "--url", `${server.url}/?a=1`], /no query/],
    ["ftp", [file, "--url", "ftp://auth.example.com"], /--url must be http\(s\)/],
    ["--batch 501", [file, "--url", server.url, "--batch", "501"], /--batch must be at most 500/],
    ["--batch 0", [file, "--url", server.url, "--batch", "0"], /--batch must be a positive integer/],
    ["--concurrency abc", [file, "--url", server.url, "--concurrency", "abc"], /--concurrency must be a positive/],
    ["--retries -1", [file, "--url", server.url, "--retries=-1"], /--retries must be a non-negative integer/],
    ["an unknown option", [file, "--url", server.url, "--bacth", "5"], /unknown option --bacth/],
    ["a short option", [file, "--url", server.url, "-b"], /unknown option -b/],
    ["an option given twice", [file, "--url", server.url, "--batch", "5", "--batch", "6"], /--batch is given twice/],
    ["a value missing", [file, "--url", server.url, "--state"], /--state needs a value/],
    ["a value to a flag", [file, "--url", server.url, "--dry-run=yes"], /--dry-run takes no value/],
    ["--state naming the file itself", [file, "--url", server.url, "--state", file], /must be three files/],
    [
      "--rejects in a missing folder",
      [file, "--url", server.url, "--rejects", "/nonexistent/r.jsonl"],
      /no such folder/,
    ],
    ["a JSON (not JSON Lines) file", [folder.file("users.json"), "--url", server.url], /give a \.jsonl/],
    ["no key", [file, "--url", server.url], /an admin key is required: --key or EDGE_AUTH_ADMIN_KEY/, {}],
    ["a key of another shape", [file, "--url", server.url, "--key", "hunter2-S3CR3T"], /not an edge-auth API key/, {}],
  ];

  it("refuses each with exit 2 and its reason, sending nothing", async () => {
    const runs = await Promise.all(
      cases().map(async ([name, args, message, env = { EDGE_AUTH_ADMIN_KEY: TEST_KEY }]) => ({
        name,
        message,
        run: await runCli("import.mjs", args, env),
      })),
    );
    for (const { name, message, run } of runs) {
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr, name).toContain("--help");
      expect(`${run.stdout}${run.stderr}`, name).not.toContain("S3CR3T");
    }
    expect(server.calls).toHaveLength(0);
  });

  it("refuses a CSV whose header names an unknown or repeated field (exit 2), before sending anything", async () => {
    const unknown = folder.file("unknown.csv");
    const repeated = folder.file("repeated.csv");
    writeJsonLines(unknown, ["email,pasword", "a@example.test,x"]);
    writeJsonLines(repeated, ["email,name,email", "a@example.test,A,b@example.test"]);
    const env = { EDGE_AUTH_ADMIN_KEY: TEST_KEY };
    const first = await runCli("import.mjs", [unknown, "--url", server.url], env);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/line 1: header "pasword" is not a known field/);
    const second = await runCli("import.mjs", [repeated, "--url", server.url], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/header "email" is given twice/);
    expect(server.calls).toHaveLength(0);
  });
});

describe("the key", () => {
  it("is taken from EDGE_AUTH_ADMIN_KEY, --key winning over it, and is never printed", async () => {
    const before = server.calls.length;
    const fromEnv = await runCli("import.mjs", [file, "--url", server.url], { EDGE_AUTH_ADMIN_KEY: TEST_KEY });
    expect(fromEnv.code).toBe(0);
    const overridden = await runCli("import.mjs", [file, "--url", server.url, "--key", TEST_KEY], {
      EDGE_AUTH_ADMIN_KEY: "ea_sk_NotTheKeyNotTheKeyNotTheKey0000_000000",
    });
    expect(overridden.code).toBe(0);
    const calls = server.calls.slice(before);
    expect(calls.map((call) => call.headers.authorization)).toEqual([`Bearer ${TEST_KEY}`, `Bearer ${TEST_KEY}`]);
    for (const run of [fromEnv, overridden]) expect(`${run.stdout}${run.stderr}`).not.toContain(TEST_KEY);
  });
});

describe("--help", () => {
  it("prints each CLI's options and exit codes, and exits 0", async () => {
    const importHelp = await runCli("import.mjs", ["--help"]);
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toMatch(/--dry-run[\s\S]*--batch[\s\S]*--concurrency[\s\S]*--state[\s\S]*--rejects/);
    expect(importHelp.stdout).toMatch(/EDGE_AUTH_ADMIN_KEY/);
    const exportHelp = await runCli("export.mjs", ["--help"]);
    expect(exportHelp.code).toBe(0);
    expect(exportHelp.stdout).toMatch(/--out[\s\S]*--limit/);
  });
});

describe("export usage errors", () => {
  it("refuses each with exit 2 and its reason, sending nothing", async () => {
    const env = { EDGE_AUTH_ADMIN_KEY: TEST_KEY };
    const cases = [
      [["--url", server.url, "--limit", "1001"], /--limit must be at most 1000/, env],
      [["--url", server.url, "--limit", "0"], /--limit must be a positive integer/, env],
      [["--url", server.url, "users.jsonl"], /unexpected argument users\.jsonl/, env],
      [["--url", server.url, "--cursor", "x"], /unknown option --cursor/, env],
      [[], /--url is required/, env],
      [["--url", server.url], /an admin key is required/, {}],
      [
        ["--url", server.url, "--out", "/nonexistent/users.jsonl"],
        /cannot write \/nonexistent\/users\.jsonl\.partial/,
        env,
      ],
    ];
    const before = server.calls.length;
    for (const [args, message, withEnv] of cases) {
      const run = await runCli("export.mjs", args, withEnv);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
    }
    expect(server.calls.length).toBe(before);
  });
});
