// CSV import files: the streaming parser (scripts/import/csv.mjs) on RFC 4180's edge cases, fed whole
// and one character a chunk (a chunk may end anywhere: inside a quote, between CR and LF); cells read
// as the contract says (booleans, empty = absent, JSON identities); and a CSV file through the CLI.

import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parseCsv } from "../../scripts/import/csv.mjs";
import { parseCsvRows } from "../../scripts/import/parse-rows.mjs";
import { readJsonLines, runCli, tempFolder } from "./support/run-cli.mjs";
import { startStubServer, TEST_KEY } from "./support/stub-server.mjs";

async function collect(generator) {
  const out = [];
  for await (const item of generator) out.push(item);
  return out;
}

/** The records of `text`, parsed whole and one character a chunk: both must agree. */
async function recordsWithEnds(text) {
  const whole = await collect(parseCsv([text]));
  const byCharacter = await collect(parseCsv([...text]));
  expect(byCharacter).toEqual(whole);
  return whole;
}

/** The same without `end` (the characters read up to each record's end). */
async function records(text) {
  return (await recordsWithEnds(text)).map(({ end: _, ...record }) => record);
}

describe("the CSV parser", () => {
  it("reads quoted commas, doubled quotes and line breaks inside quotes, numbering records by their first line", async () => {
    expect(await records('a,b,c\n"x, y","say ""hi""","two\nlines"\nlast,,\n')).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["x, y", 'say "hi"', "two\nlines"] },
      { line: 4, fields: ["last", "", ""] },
    ]);
  });

  it("tells how many characters each record reaches to, for the progress", async () => {
    const text = 'a,b\n"x\ny",z\r\n\nlast,1';
    expect((await recordsWithEnds(text)).map((record) => record.end)).toEqual([
      text.indexOf("\n") + 1,
      text.indexOf("\r\n") + 1,
      text.length,
    ]);
  });

  it("reads CRLF line ends (also inside quotes, as \\n), a leading BOM, blank lines and a last line without a break", async () => {
    expect(await records('\uFEFFemail,name\r\n\r\na@example.test,"Ada\r\nLovelace"\r\nb@example.test,""')).toEqual([
      { line: 1, fields: ["email", "name"] },
      { line: 3, fields: ["a@example.test", "Ada\nLovelace"] },
      { line: 5, fields: ["b@example.test", ""] },
    ]);
  });

  it("reports a stray quote or text after a closing quote as that record's error, and reads on at the next line", async () => {
    expect(await records('a,b\nx"y,z\n"q"r,s\nok,fine\n')).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, error: "a quote inside an unquoted field" },
      { line: 3, error: "text after a closing quote" },
      { line: 4, fields: ["ok", "fine"] },
    ]);
  });

  it("reports a quote never closed at the line it opened on", async () => {
    expect(await records('a\nok\n"never closed\nmore\n')).toEqual([
      { line: 1, fields: ["a"] },
      { line: 2, fields: ["ok"] },
      { line: 3, error: "a quote opened and never closed (the rest of the file is inside it)" },
    ]);
  });
});

describe("CSV rows", () => {
  it("reads booleans (true/false/1/0), integer times, JSON identities, and leaves empty cells out", async () => {
    const text = [
      "email,email_verified,disabled,created_at,name,identities,legacy_id",
      'a@example.test,TRUE,0,1700000000,"Ada, Countess","[{""provider"":""github"",""subject"":""42""}]",17',
      "b@example.test,,,2024-01-02T03:04:05Z,,,",
    ].join("\n");
    const rows = (await collect(parseCsvRows([text]))).map(({ end: _, ...row }) => row);
    expect(rows).toEqual([
      {
        line: 2,
        row: {
          email: "a@example.test",
          email_verified: true,
          disabled: false,
          created_at: 1700000000,
          name: "Ada, Countess",
          identities: [{ provider: "github", subject: "42" }],
          legacy_id: "17",
        },
      },
      { line: 3, row: { email: "b@example.test", created_at: "2024-01-02T03:04:05Z" } },
    ]);
  });

  it("refuses, each on its own line, a bad boolean, a bad JSON cell, a wrong field count and a malformed record", async () => {
    const text = [
      "email,email_verified,identities",
      "a@example.test,yes,",
      "b@example.test,,[not json",
      "c@example.test,true",
      'd@exa"mple.test,,',
      "e@example.test,1,[]",
    ].join("\n");
    const rows = await collect(parseCsvRows([text]));
    expect(rows.map((row) => [row.line, row.error?.code ?? "ok", row.error?.field ?? null])).toEqual([
      [2, "invalid_row", "email_verified"],
      [3, "invalid_row", "identities"],
      [4, "invalid_csv", null],
      [5, "invalid_csv", null],
      [6, "ok", null],
    ]);
    expect(rows[2]?.error?.reason).toBe("has 2 fields, the header 3");
  });
});

describe("a CSV file through the CLI", () => {
  let cleanups = [];
  afterEach(async () => {
    for (const cleanup of cleanups) await cleanup();
    cleanups = [];
  });

  it("imports its rows (BOM, CRLF, quotes) and writes its malformed records to the rejects file by line", async () => {
    const server = await startStubServer();
    const folder = tempFolder();
    cleanups.push(server.close, folder.cleanup);
    const file = folder.file("users.csv");
    const lines = [
      "\uFEFFemail,password,name,email_verified",
      'ada@example.test,S3CR3T-ada,"Lovelace, Ada",true',
      'grace@example.test,"S3CR3T ""grace""","Grace\r\nHopper",1',
      'bad@example.test,S3CR3T-bad,"unterminated,"x,0',
      "short@example.test,S3CR3T-short",
      "alan@example.test,S3CR3T-alan,Alan,false",
    ];
    writeFileSync(file, `${lines.join("\r\n")}\r\n`);
    const run = await runCli("import.mjs", [file, "--url", server.url], { EDGE_AUTH_ADMIN_KEY: TEST_KEY });
    expect(run.code).toBe(1);
    expect(server.importBatches().flat()).toEqual([
      { email: "ada@example.test", password: "S3CR3T-ada", name: "Lovelace, Ada", email_verified: true },
      { email: "grace@example.test", password: 'S3CR3T "grace"', name: "Grace\nHopper", email_verified: true },
      { email: "alan@example.test", password: "S3CR3T-alan", name: "Alan", email_verified: false },
    ]);
    const rejects = readJsonLines(`${file}.rejects.jsonl`);
    expect(rejects.map((reject) => [reject.line, reject.error.code, reject.row])).toEqual([
      [5, "invalid_csv", null],
      [6, "invalid_csv", null],
    ]);
    expect(JSON.stringify(rejects)).not.toContain("S3CR3T");
  });
});
