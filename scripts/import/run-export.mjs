// `npm run export`: every user out of edge-auth as JSON Lines (the import's row format), page by page
// through GET /v1/admin/users/export, following Edge-Auth-Next-Cursor to the last page. Each page is
// read whole before a byte of it is written, so a retried page is never written twice. With --out the
// lines go to <out>.partial (owner-only: the lines hold password hashes), renamed to <out> only when
// the last page is in; a failed or interrupted export leaves no file behind.

import { once } from "node:events";
import { createWriteStream, openSync, renameSync, rmSync } from "node:fs";
import { adminKey, atMost, baseUrl, parseArgs, UsageError } from "./args.mjs";
import { describeRefusal, endpoint, requestWithRetry } from "./http.mjs";
import { createProgress } from "./progress.mjs";

export const EXPORT_PATH = "/v1/admin/users/export";
export const NEXT_CURSOR_HEADER = "Edge-Auth-Next-Cursor";
export const EXIT = { ok: 0, usage: 2, failed: 3, interrupted: 130 };
/** The server answers 1–1000 users a page. */
const MAX_LIMIT = 1000;

export const EXPORT_USAGE = `Usage: npm run export -- --url https://auth.example.com [options]

Exports every user as JSON Lines through GET /v1/admin/users/export (the lines import unchanged).

  --url URL            the edge-auth server (https; plain http only to a local host)
  --key KEY            an admin API key (ea_sk_…); better: set EDGE_AUTH_ADMIN_KEY
  --out FILE           write to FILE (default: standard output)
  --limit N            users per page, 1–1000 (default 1000)
  --retries N          retries of a page on 429, 5xx or a network error (default 5)
  --backoff-ms N       first retry wait when no Retry-After is given (default 500)
  --help               this text

Exit codes: 0 every page written; 2 usage error; 3 the server refused the export, or a page
failed after its retries; 130 interrupted.
`;

const SPEC = {
  url: "string",
  key: "string",
  out: "string",
  limit: "int",
  retries: "count",
  "backoff-ms": "count",
  help: "flag",
};

class ExportFailure extends Error {}

function settingsOf(argv, env) {
  const { options, positionals } = parseArgs(argv, SPEC, { limit: MAX_LIMIT, retries: 5, backoffMs: 500 });
  if (options.help) return { help: true };
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]} (the file is --out FILE)`);
  return {
    url: baseUrl(options.url),
    key: adminKey(options.key, env),
    out: options.out ?? null,
    limit: atMost("limit", options.limit, MAX_LIMIT),
    retry: { retries: options.retries, backoffMs: options.backoffMs },
  };
}

/** The number of lines in one page's body, or an ExportFailure when it is not JSON Lines of objects. */
function countLines(text) {
  if (text === "") return 0;
  if (!text.endsWith("\n")) throw new ExportFailure("a page does not end with a line break (cut short?)");
  const lines = text.slice(0, -1).split("\n");
  for (const line of lines) {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ExportFailure("a page holds a line that is not JSON");
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new ExportFailure("a page holds a line that is not a user");
  }
  return lines.length;
}

/** One page from `cursor` (null: the first): `{ text, lines, next }`, or null when aborted. */
async function fetchPage(settings, cursor, retry) {
  const query = new URLSearchParams({ limit: String(settings.limit), ...(cursor === null ? {} : { cursor }) });
  const outcome = await requestWithRetry(
    `${endpoint(settings.url, EXPORT_PATH)}?${query}`,
    {
      headers: {
        Authorization: `Bearer ${settings.key}`,
        Accept: "application/x-ndjson",
        "User-Agent": "edge-auth-export",
      },
    },
    retry,
  );
  if (outcome.aborted) return null;
  if (outcome.error) throw new ExportFailure(`a page failed: ${outcome.error}`);
  if (outcome.status !== 200) {
    throw new ExportFailure(`the server refused the export: ${describeRefusal(outcome.status, outcome.text)}`);
  }
  if (!(outcome.headers.get("content-type") ?? "").startsWith("application/x-ndjson"))
    throw new ExportFailure("the answer is not JSON Lines (is --url an edge-auth server?)");
  return { text: outcome.text, lines: countLines(outcome.text), next: outcome.headers.get(NEXT_CURSOR_HEADER) };
}

/** Writes `text`, waiting while the stream's buffer is full. */
async function writeText(stream, text) {
  if (!stream.write(text)) await once(stream, "drain");
}

async function exportPages(settings, output, { stderr, stop, abort }) {
  const progress = createProgress({ stream: stderr, label: "export", unit: "users" });
  const retry = {
    ...settings.retry,
    stop: AbortSignal.any([stop, abort]),
    abort,
    onRetry: (attempt, reason, ms) => progress.note(`${reason}, retry ${attempt} in ${(ms / 1000).toFixed(1)} s`),
  };
  let users = 0;
  let pages = 0;
  let cursor = null;
  for (;;) {
    if (stop.aborted) return { users, pages, complete: false };
    const page = await fetchPage(settings, cursor, retry);
    if (page === null) return { users, pages, complete: false };
    await writeText(output, page.text);
    users += page.lines;
    pages++;
    progress.update({ done: users, detail: `${pages} pages` });
    if (page.next === null) break;
    if (page.next === cursor) throw new ExportFailure("the server answered the same cursor twice");
    cursor = page.next;
  }
  progress.finish({ done: users, detail: `${pages} pages` });
  return { users, pages, complete: true };
}

/** The CLI: answers its exit code. `stop` aborts on the first Ctrl-C, `abort` on the second. */
export async function runExport({ argv, env, stdout, stderr, stop, abort }) {
  let settings;
  try {
    settings = settingsOf(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`export: ${error.message}\n(npm run export -- --help shows the options)\n`);
    return EXIT.usage;
  }
  if (settings.help) {
    stdout.write(EXPORT_USAGE);
    return EXIT.ok;
  }
  const partial = settings.out === null ? null : `${settings.out}.partial`;
  let output = stdout;
  if (partial !== null) {
    try {
      // Created afresh, so it is owner-only even where an earlier run left one behind.
      rmSync(partial, { force: true });
      output = createWriteStream(partial, { fd: openSync(partial, "w", 0o600) });
    } catch (error) {
      stderr.write(`export: cannot write ${partial}: ${error instanceof Error ? error.message : error}\n`);
      return EXIT.usage;
    }
  }
  const started = performance.now();
  let result;
  try {
    result = await exportPages(settings, output, { stderr, stop, abort });
  } catch (error) {
    if (!(error instanceof ExportFailure)) throw error;
    stderr.write(`export: ${error.message}\n`);
    result = { failed: true };
  }
  if (partial !== null) {
    output.end();
    await once(output, "close");
    if (result.complete) renameSync(partial, settings.out);
    else rmSync(partial, { force: true });
  }
  if (result.failed) return EXIT.failed;
  const seconds = (performance.now() - started) / 1000;
  const where = settings.out === null ? "" : ` → ${settings.out}`;
  const verb = result.complete ? "finished" : "interrupted (nothing kept)";
  stderr.write(`export ${verb}: ${result.users} users in ${result.pages} pages, ${seconds.toFixed(1)} s${where}\n`);
  return result.complete ? EXIT.ok : EXIT.interrupted;
}
