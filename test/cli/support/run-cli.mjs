// Runs a CLI (scripts/import.mjs or scripts/export.mjs) as a real child process, the way `npm run`
// does, and collects its exit code and output; plus a temporary folder per test for its files.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../../../", import.meta.url).pathname;

/**
 * Starts `node scripts/<script> ...args` with `env` added to a clean environment (no admin key
 * unless given). Answers `{ child, done }`; `done` resolves to `{ code, signal, stdout, stderr }`.
 */
export function startCli(script, args, env = {}) {
  const child = spawn(process.execPath, [join(ROOT, "scripts", script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text) => {
    stdout += text;
  });
  child.stderr.setEncoding("utf8").on("data", (text) => {
    stderr += text;
  });
  const done = new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(script, args, env = {}) {
  return startCli(script, args, env).done;
}

/** A fresh temporary folder; `cleanup()` removes it. */
export function tempFolder() {
  const path = mkdtempSync(join(tmpdir(), "edge-auth-cli-"));
  return { path, file: (name) => join(path, name), cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** `rows` (objects, or raw strings for broken lines) as a JSON Lines file at `path`. */
export function writeJsonLines(path, rows) {
  writeFileSync(path, rows.map((row) => `${typeof row === "string" ? row : JSON.stringify(row)}\n`).join(""));
}

/** The JSON Lines file at `path` as values. */
export function readJsonLines(path) {
  const text = readFileSync(path, "utf8");
  return text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line));
}

/** `count` rows with unique emails and plaintext passwords (secrets a test can look for). */
export function plaintextRows(count, tag = "u") {
  return Array.from({ length: count }, (_, i) => ({
    email: `${tag}${i + 1}@example.test`,
    password: `pw-${tag}-${i + 1}-secret`,
  }));
}
