// `npm run import`: a JSON Lines or CSV file of users into edge-auth, in batches sent a few at a time.
// The file is read as it is sent (rows.mjs, batches.mjs), so memory holds only the batches in flight;
// each finished batch is written to the resume state at once (state.mjs), refused rows to the rejects
// file (rejects.mjs), and the run ends with a summary and an exit code a script can act on.

import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { adminKey, atMost, baseUrl, parseArgs, UsageError } from "./args.mjs";
import { batchesOf } from "./batches.mjs";
import { CsvHeaderError } from "./parse-rows.mjs";
import { createProgress } from "./progress.mjs";
import { openRejectsFile } from "./rejects.mjs";
import { readRows } from "./rows.mjs";
import { sendBatch } from "./send-batch.mjs";
import { openState, StateError } from "./state.mjs";

export const EXIT = { ok: 0, rejected: 1, usage: 2, failed: 3, interrupted: 130 };
/** The server takes 1–500 rows a call. */
const MAX_BATCH_ROWS = 500;
const MAX_CONCURRENCY = 32;

export const IMPORT_USAGE = `Usage: npm run import -- <users.jsonl|users.csv> --url https://auth.example.com [options]

Imports users (the import/export row format) through POST /v1/admin/users/import.

  --url URL            the edge-auth server (https; plain http only to a local host)
  --key KEY            an admin API key (ea_sk_…); better: set EDGE_AUTH_ADMIN_KEY
  --dry-run            validate every row on the server; write nothing
  --batch N            rows per call, 1–500 (default 500; a call carries at most 10 plaintext passwords)
  --concurrency N      calls in flight (default 4)
  --state FILE         resume state (default <file>.import-state.json; not used by --dry-run)
  --rejects FILE       refused rows with their reasons (default <file>.rejects.jsonl)
  --retries N          retries of a call on 429, 5xx or a network error (default 5)
  --backoff-ms N       first retry wait when no Retry-After is given (default 500)
  --help               this text

Exit codes: 0 every row created or unchanged; 1 some rows rejected; 2 usage error;
3 the server refused the run, or calls failed after their retries; 130 interrupted (resumable).
`;

const SPEC = {
  url: "string",
  key: "string",
  "dry-run": "flag",
  batch: "int",
  concurrency: "int",
  state: "string",
  rejects: "string",
  retries: "count",
  "backoff-ms": "count",
  help: "flag",
};

/** The size of the file to import, or a usage error when it is not a readable file. */
function fileSizeOf(file) {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (!stats.isFile()) throw new UsageError(`${file} is not a file`);
  return stats.size;
}

function isFolder(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The run's settings from the command line and environment, or a UsageError. */
function settingsOf(argv, env) {
  const { options, positionals } = parseArgs(argv, SPEC, { batch: 500, concurrency: 4, retries: 5, backoffMs: 500 });
  if (options.help) return { help: true };
  if (positionals.length !== 1) throw new UsageError("give exactly one file to import (.jsonl or .csv)");
  const file = positionals[0];
  if (!/\.(jsonl|ndjson|csv)$/i.test(file)) throw new UsageError(`${file}: give a .jsonl (or .ndjson) or .csv file`);
  const size = fileSizeOf(file);
  const statePath = options.state ?? `${file}.import-state.json`;
  const rejectsPath = options.rejects ?? `${file}.rejects.jsonl`;
  const paths = [file, statePath, rejectsPath].map((path) => resolve(path));
  if (new Set(paths).size !== paths.length) throw new UsageError("the file, --state and --rejects must be three files");
  for (const [option, path] of [
    ["--state", statePath],
    ["--rejects", rejectsPath],
  ]) {
    if (!isFolder(dirname(path))) throw new UsageError(`${option} ${path}: no such folder`);
  }
  return {
    file,
    size,
    url: baseUrl(options.url),
    key: adminKey(options.key, env),
    dryRun: options.dryRun === true,
    batch: atMost("batch", options.batch, MAX_BATCH_ROWS),
    concurrency: atMost("concurrency", options.concurrency, MAX_CONCURRENCY),
    statePath,
    rejectsPath,
    retry: { retries: options.retries, backoffMs: options.backoffMs },
  };
}

/** The run itself: reads, sends, records. Answers the counts and how it ended. */
async function importFile(settings, { stderr, stop, abort }) {
  const state = settings.dryRun ? null : openState(settings.statePath, settings.file);
  const rejects = openRejectsFile(settings.rejectsPath);
  const progress = createProgress({ stream: stderr, label: "import", unit: "rows", totalBytes: settings.size });
  const counts = { created: 0, unchanged: 0, serverRejected: 0, localRejected: 0, failed: 0, earlier: 0, read: 0 };
  const source = readRows(settings.file);
  // A refusal of the whole run cancels the calls in flight too; the first Ctrl-C only stops new ones.
  const refusal = new AbortController();
  const abortAll = AbortSignal.any([abort, refusal.signal]);
  const stopAll = AbortSignal.any([stop, abortAll]);
  const onStop = () => progress.note("interrupted: finishing the calls in flight (Ctrl-C again to abandon them)");
  stop.addEventListener("abort", onStop, { once: true });
  let fatal = null;
  let failedBatches = 0;
  let reachedEnd = false;

  const done = () => counts.created + counts.unchanged + counts.serverRejected + counts.localRejected + counts.failed;
  const stats = (bytes) => ({
    done: done(),
    fresh: done() - counts.earlier,
    read: counts.read,
    bytes,
    detail: `created ${counts.created}, unchanged ${counts.unchanged}, rejected ${counts.serverRejected + counts.localRejected}`,
  });
  const showProgress = () => progress.update(stats(source.bytesRead()));
  /** Counts a batch's answer, writes its rejects and marks it done in the state. */
  const record = (batch, results) => {
    const entry = { created: 0, unchanged: 0, rejected: [] };
    for (const { index, status, error } of results) {
      if (status === "created") entry.created++;
      else if (status === "unchanged") entry.unchanged++;
      else {
        entry.rejected.push([index, error]);
        rejects.write({ line: batch.lines[index], error, row: batch.rows[index] });
      }
    }
    counts.created += entry.created;
    counts.unchanged += entry.unchanged;
    counts.serverRejected += entry.rejected.length;
    state?.markDone(batch.key, entry);
  };
  const send = async (batch) => {
    const outcome = await sendBatch(batch, {
      url: settings.url,
      key: settings.key,
      dryRun: settings.dryRun,
      retry: {
        ...settings.retry,
        stop: stopAll,
        abort: abortAll,
        onRetry: (attempt, reason, ms) =>
          progress.note(
            `lines ${batch.first}–${batch.last}: ${reason}, retry ${attempt} in ${(ms / 1000).toFixed(1)} s`,
          ),
      },
    });
    if (outcome.kind === "answered") record(batch, outcome.results);
    else if (outcome.kind === "refused") {
      fatal ??= outcome.message;
      refusal.abort();
    } else if (outcome.kind === "failed") {
      failedBatches++;
      counts.failed += batch.rows.length;
      progress.note(`lines ${batch.first}–${batch.last} failed: ${outcome.message}`);
    }
    showProgress();
  };
  /** A batch an earlier run finished: counted and its rejects restored, not sent. */
  const replay = (batch, entry) => {
    for (const [index, error] of entry.rejected) {
      counts.serverRejected++;
      rejects.write({ line: batch.lines[index], error, row: batch.rows[index] });
    }
    counts.created += entry.created;
    counts.unchanged += entry.unchanged;
    counts.earlier += batch.rows.length;
  };

  const inFlight = new Set();
  const onReject = (item) => {
    counts.read++;
    counts.localRejected++;
    rejects.write(item);
    showProgress();
  };
  try {
    for await (const batch of batchesOf(source.rows, { maxRows: settings.batch, onReject })) {
      if (stopAll.aborted || fatal || failedBatches > 0) break;
      counts.read += batch.rows.length;
      const earlier = state?.finished.get(batch.key);
      if (earlier) {
        replay(batch, earlier);
        showProgress();
        continue;
      }
      const task = send(batch).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
    }
    reachedEnd = !(stopAll.aborted || fatal || failedBatches > 0);
    await Promise.all(inFlight);
  } finally {
    stop.removeEventListener("abort", onStop);
    source.close();
    rejects.close();
  }
  const complete = reachedEnd && !fatal && failedBatches === 0 && !abortAll.aborted;
  if (complete) state?.remove();
  progress.finish(stats(complete ? settings.size : source.bytesRead()));
  return { counts, fatal, failedBatches, complete };
}

function summaryOf(settings, { counts, fatal, failedBatches, complete }, seconds) {
  const rejected = counts.serverRejected + counts.localRejected;
  const sent = counts.created + counts.unchanged + counts.serverRejected + counts.localRejected - counts.earlier;
  const would = settings.dryRun ? " (dry run: nothing was written)" : "";
  const lines = [
    `import ${complete ? "finished" : "stopped"} in ${seconds.toFixed(1)} s, ${Math.round(sent / Math.max(seconds, 0.001))} rows/s${would}`,
    `  created    ${counts.created}`,
    `  unchanged  ${counts.unchanged}`,
    `  rejected   ${rejected}${rejected > 0 ? ` (${counts.serverRejected} by the server, ${counts.localRejected} unreadable or malformed) → ${settings.rejectsPath}` : ""}`,
    `  failed     ${counts.failed}`,
  ];
  if (counts.earlier > 0) lines.push(`  (${counts.earlier} rows were imported by an earlier run, and not sent again)`);
  if (fatal) lines.push(fatal);
  if (failedBatches > 0) lines.push(`${failedBatches} call(s) failed after their retries`);
  if (!complete && !settings.dryRun) lines.push(`run the same command again to resume (state: ${settings.statePath})`);
  return `${lines.join("\n")}\n`;
}

/** The CLI: answers its exit code. `stop` aborts on the first Ctrl-C, `abort` on the second. */
export async function runImport({ argv, env, stdout, stderr, stop, abort }) {
  let settings;
  try {
    settings = settingsOf(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`import: ${error.message}\n(npm run import -- --help shows the options)\n`);
    return EXIT.usage;
  }
  if (settings.help) {
    stdout.write(IMPORT_USAGE);
    return EXIT.ok;
  }
  const started = performance.now();
  let outcome;
  try {
    outcome = await importFile(settings, { stderr, stop, abort });
  } catch (error) {
    if (!(error instanceof StateError || error instanceof CsvHeaderError)) throw error;
    stderr.write(`import: ${error.message}\n`);
    return EXIT.usage;
  }
  stdout.write(summaryOf(settings, outcome, (performance.now() - started) / 1000));
  if (outcome.fatal || outcome.failedBatches > 0) return EXIT.failed;
  if (!outcome.complete) return EXIT.interrupted;
  return outcome.counts.serverRejected + outcome.counts.localRejected > 0 ? EXIT.rejected : EXIT.ok;
}
